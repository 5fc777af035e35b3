/// Tissue classes with their base intensity (before the site's contrast curve) and the
/// amplitude of their texture.
enum Tissue: Int, CaseIterable {
    case air, fat, muscle, cortex, marrow, urine, bladderWall, rectalWall, rectalContent, vesicle
    case peripheral, central, capsule, plexus
}

extension Tissue {
    /// Whether the tissue is part of the gland's mask.
    var isGland: Bool { self == .peripheral || self == .central || self == .capsule }
}
