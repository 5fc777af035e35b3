import Foundation

/// One plane of the gland: its centre and boundary radius as a table over the angle.
struct GlandSection {
    static let bins = 180
    var cx, cy: Double
    var radii: [Double]
    var maxRadius: Double
    /// The central gland: its centre (shifted anteriorly) and scale of the boundary.
    var ccx, ccy, centralScale: Double
    /// The half-depth of this section's ellipse, before the harmonics.
    var halfDepth: Double

    @inline(__always) func radius(_ dx: Double, _ dy: Double) -> Double {
        let angle = atan2(dy, dx)
        let u = (angle + Double.pi) / (2 * Double.pi) * Double(Self.bins)
        let i = Int(u) % Self.bins, f = u - Double(Int(u))
        return radii[i] * (1 - f) + radii[(i + 1) % Self.bins] * f
    }
}
