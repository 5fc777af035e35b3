/// Every `step`-th pixel of a row of `size` pixels, and the last one, as sample points.
struct CoarseGrid {
    let size: Int, step: Int
    /// Samples per row.
    var count: Int { (size - 1 + step - 1) / step + 1 }

    /// The pixel of sample `c`.
    @inline(__always) func pixel(_ c: Int) -> Int { min(c * step, size - 1) }

    /// The samples on either side of pixel `i` and the weight of the second.
    @inline(__always) func neighbours(_ i: Int) -> (Int, Int, Float) {
        let c0 = i / step, c1 = min(c0 + 1, count - 1)
        let p0 = pixel(c0), p1 = pixel(c1)
        return (c0, c1, p1 == p0 ? 0 : Float(i - p0) / Float(p1 - p0))
    }
}
