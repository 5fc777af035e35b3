import Datasets
import Metrics

/// Scores mask files: one pair, or two folders matched by case name (docs/interop.md).
public enum MaskEvaluation {
    /// Reads `prediction` and `reference` (NIfTI or MetaImage; any non-zero label is
    /// foreground) and scores them. Two grids that differ in size, spacing, origin or direction
    /// are refused, naming the prediction's file and the header field; so is a metric that is
    /// not finite, which the readers' bounds on spacing should make impossible.
    public static func score(prediction: String, reference: String, caseName: String = "", limits: ImageLimits) throws -> ScoredMask {
        let predictedImage = try ImageIO.read(prediction, limits: limits), referenceImage = try ImageIO.read(reference, limits: limits)
        do {
            try Importer.checkGeometry(image: referenceImage, mask: predictedImage, imagePath: reference, maskPath: prediction)
        } catch let error as DataError {
            throw DataError(file: error.file, field: error.field, message: "geometry mismatch: \(error.message)")
        }
        let predicted = try predictedImage.labelVolume(file: prediction), truth = try referenceImage.labelVolume(file: reference)
        func binary(_ volume: LabelVolume) throws -> BinaryVolume {
            try BinaryVolume(shape: volume.shape.dims, spacing: volume.spacing,
                             labels: volume.voxels)
        }
        let scored: ScoredMask
        do {
            let (p, r) = (try binary(predicted), try binary(truth))
            scored = ScoredMask(caseName: caseName, metrics: try evaluate(prediction: p, reference: r),
                                diagnostics: try SliceDiagnostics(prediction: p, reference: r))
        } catch let error as MetricsError {
            throw DataError(file: prediction, field: "", message: "against \(reference): \(error)")
        }
        let values: [(String, Double?)] = [
            ("dice", scored.metrics.dice), ("iou", scored.metrics.iou), ("assd", scored.metrics.assd), ("assd_pooled", scored.metrics.assdPooled),
            ("ravd", scored.metrics.ravd), ("hd95", scored.metrics.hd95),
        ]
        if let (name, value) = values.compactMap({ name, value in value.flatMap { $0.isFinite ? nil : (name, $0) } }).first {
            throw DataError(file: prediction, field: "", message: "against \(reference): \(name) is \(value) (spacing \(truth.spacing)): not a finite metric")
        }
        return scored
    }
}
