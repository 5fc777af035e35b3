/// One row of a ``ValueNoise`` (fixed y and z), from ``ValueNoise/row(_:_:)``.
struct ValueNoiseRow {
    let cell: Double, origin: Double, count: Int
    let columns: [Float]

    @inline(__always) func callAsFunction(_ x: Double) -> Float { self(at: position(x)) }

    /// The lattice column left of x and the smoothstep weight of the next one: the same for
    /// every row, so a render computes it once per pixel column.
    func position(_ x: Double) -> (Int, Float) {
        let u = min(max((x - origin) / cell, 0), Double(count - 2) - 1e-9)
        let i = Int(u), f = u - Double(i)
        return (i, Float(f * f * (3 - 2 * f)))
    }

    @inline(__always) func callAsFunction(at position: (Int, Float)) -> Float {
        columns[position.0] + (columns[position.0 + 1] - columns[position.0]) * position.1
    }
}
