import Foundation

/// The gland: its extent along z, its widest cross-section and how shape and centre change
/// from the apex (t = -1) to the base (t = +1).
struct GlandModel {
    var zc, halfLength, halfWidth, halfDepth: Double
    /// Where along t the cross-section is widest, and how sharply it tapers toward each end.
    var peak, apexPower, basePower: Double
    var gx, gy, tiltX, tiltY, bendX, bendY: Double
    /// Depth over width along t.
    var aspect: ControlCurve
    /// Amplitudes and phases of the boundary harmonics k = 2...5 along t.
    var amplitudes: [ControlCurve], phases: [ControlCurve]
    /// Flattening of the posterior side (toward the rectum) along t.
    var flatten: ControlCurve
    /// The central gland's size relative to the gland at the apex and at the base.
    var centralApex, centralBase: Double

    /// The normalised position t of height z, nil outside the gland.
    func t(_ z: Double) -> Double? {
        let t = (z - zc) / halfLength
        return abs(t) < 1 ? t : nil
    }

    /// The cross-section's scale at t: 0 at both ends, 1 at the peak.
    func profile(_ t: Double) -> Double {
        let u = t < peak ? (peak - t) / (1 + peak) : (t - peak) / (1 - peak)
        let power = t < peak ? apexPower : basePower
        return max(0, 1 - pow(min(u, 1), power)).squareRoot()
    }
}
