import SeededRandom

/// A smooth curve through values at evenly spaced control points over t in [-1, 1]
/// (Catmull-Rom, clamped at the ends).
struct ControlCurve {
    var values: [Double]

    init(_ rng: inout SeededGenerator, count: Int = 5, mean: Double, spread: Double) {
        values = (0..<count).map { _ in mean + spread * (2 * rng.uniformDouble() - 1) }
    }

    func callAsFunction(_ t: Double) -> Double {
        let n = values.count
        let u = (min(max(t, -1), 1) + 1) / 2 * Double(n - 1)
        let i = min(Int(u), n - 2), f = u - Double(i)
        let p0 = values[max(i - 1, 0)], p1 = values[i], p2 = values[i + 1], p3 = values[min(i + 2, n - 1)]
        let f2 = f * f, f3 = f2 * f
        return 0.5 * (2 * p1 + (p2 - p0) * f + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f2 + (3 * p1 - p0 - 3 * p2 + p3) * f3)
    }
}
