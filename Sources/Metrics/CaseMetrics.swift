/// The metrics of one 3D test case, with distances in millimetres.
///
/// Undefined values are nil and encoded as JSON `null`, never as 0; `flags` says why.
/// Defined results for empty masks (docs/methods.md, "Metrics"):
///
/// | case | dice, iou | assd, assd_pooled, hd95 | ravd, ravd_abs |
/// | --- | --- | --- | --- |
/// | both non-empty | defined | defined | defined |
/// | empty prediction only | 0 | nil | -1, 1 |
/// | empty reference only | 0 | nil | nil |
/// | both empty | 1 | nil | nil |
public struct CaseMetrics: Sendable, Equatable, Codable {
    /// Dice coefficient 2|A n B| / (|A| + |B|).
    public var dice: Double
    /// Intersection over union |A n B| / |A u B|.
    public var iou: Double
    /// Average symmetric surface distance, medpy <= 0.4: mean of the two directed means (mm).
    public var assd: Double?
    /// Average symmetric surface distance, medpy >= 0.5: mean of the pooled distances (mm).
    public var assdPooled: Double?
    /// Signed relative absolute volume difference (|A| - |B|) / |B|.
    public var ravd: Double?
    /// |ravd|.
    public var ravdAbs: Double?
    /// 95th percentile of the pooled surface distances (mm).
    public var hd95: Double?
    /// Why some values are nil; empty when all are defined.
    public var flags: CaseFlags

    /// A case from its values.
    public init(
        dice: Double, iou: Double, assd: Double?, assdPooled: Double?, ravd: Double?, ravdAbs: Double?,
        hd95: Double?, flags: CaseFlags
    ) {
        self.dice = dice
        self.iou = iou
        self.assd = assd
        self.assdPooled = assdPooled
        self.ravd = ravd
        self.ravdAbs = ravdAbs
        self.hd95 = hd95
        self.flags = flags
    }

    enum CodingKeys: String, CodingKey {
        case dice, iou, assd, assdPooled = "assd_pooled", ravd, ravdAbs = "ravd_abs", hd95, flags
    }

    /// Decodes a case; every key must be present, undefined values as `null`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // `decode` of an optional still requires the key: a missing key is an error, an
        // explicit null is an undefined value.
        dice = try c.decode(Double.self, forKey: .dice)
        iou = try c.decode(Double.self, forKey: .iou)
        assd = try c.decode(Double?.self, forKey: .assd)
        assdPooled = try c.decode(Double?.self, forKey: .assdPooled)
        ravd = try c.decode(Double?.self, forKey: .ravd)
        ravdAbs = try c.decode(Double?.self, forKey: .ravdAbs)
        hd95 = try c.decode(Double?.self, forKey: .hd95)
        flags = try c.decode(CaseFlags.self, forKey: .flags)
    }

    /// Encodes every key, undefined values as `null`.
    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls: every key is always present, so readers need no schema knowledge.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dice, forKey: .dice)
        try c.encode(iou, forKey: .iou)
        try c.encode(assd, forKey: .assd)
        try c.encode(assdPooled, forKey: .assdPooled)
        try c.encode(ravd, forKey: .ravd)
        try c.encode(ravdAbs, forKey: .ravdAbs)
        try c.encode(hd95, forKey: .hd95)
        try c.encode(flags, forKey: .flags)
    }
}

/// All metrics of one case: prediction A against reference B, distances with the reference's
/// spacing.
///
/// - Throws: `MetricsError.shapeMismatch` or `.spacingMismatch` when the two grids differ.
public func evaluate(prediction: BinaryVolume, reference: BinaryVolume) throws -> CaseMetrics {
    try checkSameGrid(prediction: prediction, reference: reference)
    let counts = OverlapCounts(prediction: prediction, reference: reference)
    var flags = CaseFlags()
    if counts.prediction == 0 { flags.insert(.emptyPrediction) }
    if counts.reference == 0 { flags.insert(.emptyReference) }
    let surfaces = flags.isEmpty ? try SurfaceDistances(prediction: prediction, reference: reference) : nil
    let ravd = counts.ravd
    return CaseMetrics(
        dice: counts.dice, iou: counts.iou, assd: surfaces?.assd, assdPooled: surfaces?.assdPooled,
        ravd: ravd, ravdAbs: ravd.map(abs), hd95: surfaces?.hd95, flags: flags)
}
