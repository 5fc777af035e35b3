/// An axis-aligned ellipse in a slice plane (mm).
struct Ellipse {
    var cx, cy, rx, ry: Double

    /// The squared normalised radius of (x, y): below 1 inside.
    @inline(__always) func level(_ x: Double, _ y: Double) -> Double {
        let u = (x - cx) / rx, v = (y - cy) / ry
        return u * u + v * v
    }

    /// Whether (x, y) lies inside the ellipse shrunk by `inset` mm on each axis, its level set
    /// moved by `slack` (a smooth noise value makes organic outlines).
    @inline(__always) func contains(_ x: Double, _ y: Double, inset: Double = 0, slack: Double = 0) -> Bool {
        let reach = 1 + max(slack, 0)
        guard rx > inset, ry > inset, abs(x - cx) < rx * reach, abs(y - cy) < ry * reach else { return false }
        let u = (x - cx) / (rx - inset), v = (y - cy) / (ry - inset)
        return u * u + v * v < 1 + slack
    }
}
