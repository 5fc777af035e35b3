// Eight-lane float loops shared by the layers. Swift does not vectorise a loop over pointers
// it cannot prove distinct, so the hot reductions and updates spell out SIMD8 lanes; lane
// order is fixed, so the results do not depend on the thread count.

extension SIMD8<Float> {
    /// Eight floats from `p` (no alignment needed).
    @inline(__always)
    init(loading p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Writes the eight lanes to `p` (no alignment needed).
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD8<Float>.self)
    }
}

/// The sum of `count` floats, accumulated in eight lanes (vectorisable, and deterministic).
@inline(__always)
func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        acc += SIMD8(loading: p + i)
        i += 8
    }
    var total = acc.sum()
    while i < count {
        total += p[i]
        i += 1
    }
    return total
}

/// sum((p[i] - mean)^2), accumulated in eight lanes.
@inline(__always)
func sumOfSquaredDeviations(_ p: UnsafePointer<Float>, count: Int, mean: Float) -> Float {
    var acc = SIMD8<Float>()
    let m = SIMD8<Float>(repeating: mean)
    var i = 0
    while i + 8 <= count {
        let d = SIMD8(loading: p + i) - m
        acc += d * d
        i += 8
    }
    var total = acc.sum()
    while i < count {
        total += (p[i] - mean) * (p[i] - mean)
        i += 1
    }
    return total
}

/// `into[i] += sum over p of partials[p * count + i]` for i in `range`, the partials added in
/// order p = 0, 1, ... (so the bits do not depend on which thread wrote which partial).
@inline(__always)
func addPartials(_ partials: UnsafePointer<Float>, _ partialCount: Int, count: Int, range: Range<Int>, into: UnsafeMutablePointer<Float>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        var total = SIMD8<Float>(loading: into + i)
        for p in 0..<partialCount { total += SIMD8(loading: partials + p * count + i) }
        total.store(to: into + i)
        i += 8
    }
    while i < range.upperBound {
        for p in 0..<partialCount { into[i] += partials[p * count + i] }
        i += 1
    }
}
