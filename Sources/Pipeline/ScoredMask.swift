import Metrics
import Reports

/// A predicted mask scored against its reference: what `sparseseg evaluate` reports per case.
public struct ScoredMask: Sendable, Equatable {
    /// The case name (the file name without its image suffix).
    public let caseName: String
    /// Dice, IoU, ASSD, RAVD and HD95 in 3D with the reference's spacing.
    public let metrics: CaseMetrics
    /// Dice on the gland slices and the volume predicted off them, as a job reports them.
    public let diagnostics: SliceDiagnostics

    /// The values by metric, an undefined one absent: the columns of cases.csv.
    public var values: [Metric: Double] {
        let all: [(Metric, Double?)] = [
            (.dice, metrics.dice), (.iou, metrics.iou), (.assd, metrics.assd), (.assdPooled, metrics.assdPooled), (.ravd, metrics.ravd),
            (.ravdAbs, metrics.ravdAbs), (.hd95, metrics.hd95), (.diceGlandSlices, diagnostics.glandSliceDice),
            (.falsePositiveMillilitres, diagnostics.falsePositiveMillilitres),
        ]
        return Dictionary(uniqueKeysWithValues: all.compactMap { metric, value in value.map { (metric, $0) } })
    }
}
