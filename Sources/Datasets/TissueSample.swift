/// The tissues of the three partial-volume planes at one point, with their nodule contrasts.
struct TissueSample {
    var tissues: (Tissue, Tissue, Tissue)
    var deltas: (Float, Float, Float)

    init(_ a: (Tissue, Float), _ b: (Tissue, Float), _ c: (Tissue, Float)) {
        tissues = (a.0, b.0, c.0)
        deltas = (a.1, b.1, c.1)
    }

    /// Whether the other three corners of a cell hold the same tissues, and none a nodule's
    /// contrast, so that any point between them is taken to hold the same.
    @inline(__always) func isUniform(with b: TissueSample, _ c: TissueSample, _ d: TissueSample) -> Bool {
        func plain(_ s: TissueSample) -> Bool { s.tissues == tissues && s.deltas == (0, 0, 0) }
        return deltas == (0, 0, 0) && plain(b) && plain(c) && plain(d)
    }
}
