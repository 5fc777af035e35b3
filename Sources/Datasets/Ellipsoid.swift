/// An axis-aligned ellipsoid (mm).
struct Ellipsoid {
    var cx, cy, cz, rx, ry, rz: Double

    /// Its cross-section with the plane at height z, nil when the plane misses it.
    func section(_ z: Double) -> Ellipse? {
        let w = (z - cz) / rz
        guard abs(w) < 1 else { return nil }
        let scale = (1 - w * w).squareRoot()
        return Ellipse(cx: cx, cy: cy, rx: rx * scale, ry: ry * scale)
    }
}
