/// A row of the paper's Table 1 (PROMISE12, 5-fold cross-validation), as printed.
public struct PaperRow: Sendable {
    /// Mean and SD as published (Dice and IoU in %).
    public let dice: (mean: Double, sd: Double)
    public let iou: (mean: Double, sd: Double)
    public let assd: (mean: Double, sd: Double)
    public let ravd: (mean: Double, sd: Double)
    /// The four cells exactly as the paper prints them (its precision varies).
    public let printed: [String]
}
