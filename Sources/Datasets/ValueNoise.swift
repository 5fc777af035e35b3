import SeededRandom

/// Smooth 3D value noise in [-1, 1]: random values on a lattice of `cell` mm, interpolated
/// trilinearly with smoothstep weights.
struct ValueNoise {
    let cell: Double
    let origin: (Double, Double, Double)
    let nx, ny, nz: Int
    let lattice: [Float]

    init(_ rng: inout SeededGenerator, cell: Double, extent: (x: Double, y: Double, z: Double), origin: (Double, Double, Double)) {
        self.cell = cell
        self.origin = origin
        nx = Int(extent.x / cell) + 3
        ny = Int(extent.y / cell) + 3
        nz = Int(extent.z / cell) + 3
        var values = [Float](repeating: 0, count: nx * ny * nz)
        for i in values.indices { values[i] = 2 * rng.uniform() - 1 }
        lattice = values
    }

    /// The noise along the row at (y, z), as x varies: the y and z interpolation done once
    /// per lattice column, so that a pixel costs one interpolation along x (the render
    /// samples every native pixel of every slice).
    func row(_ y: Double, _ z: Double) -> ValueNoiseRow {
        let v = min(max((y - origin.1) / cell, 0), Double(ny - 2) - 1e-9)
        let w = min(max((z - origin.2) / cell, 0), Double(nz - 2) - 1e-9)
        let j = Int(v), k = Int(w)
        func smooth(_ f: Double) -> Float { Float(f * f * (3 - 2 * f)) }
        let fy = smooth(v - Double(j)), fz = smooth(w - Double(k))
        let columns = (0..<nx).map { i in
            func at(_ b: Int, _ c: Int) -> Float { lattice[((k + c) * ny + (j + b)) * nx + i] }
            let y0 = at(0, 0) + (at(1, 0) - at(0, 0)) * fy, y1 = at(0, 1) + (at(1, 1) - at(0, 1)) * fy
            return y0 + (y1 - y0) * fz
        }
        return ValueNoiseRow(cell: cell, origin: origin.0, count: nx, columns: columns)
    }
}
