import ArgumentParser
import Datasets
import Foundation
import Metrics

/// `sparseseg evaluate --prediction P --reference R [--json]`: the metrics of one case.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a predicted mask against a reference mask in 3D with the reference's spacing.",
        discussion: "Reads NIfTI (.nii, .nii.gz) or MetaImage (.mha, .mhd); foreground is any non-zero label.")

    @Option(help: "The predicted mask.")
    var prediction: String

    @Option(help: "The reference mask.")
    var reference: String

    @Flag(help: "Print JSON (keys dice, iou, assd, assd_pooled, ravd, hd95, and ravd_abs, flags).")
    var json = false

    @OptionGroup var imageLimits: ImageLimitOptions

    func run() throws {
        // Data errors are thrown as such (one line, exit 1); ValidationError is kept for the
        // command line itself, as it adds the usage text and exits 64.
        let limits = imageLimits.limits
        let predictedImage = try ImageIO.read(prediction, limits: limits), referenceImage = try ImageIO.read(reference, limits: limits)
        // The same grid in world space: size, spacing, origin and direction, the error naming
        // the prediction's file and the header field that differs.
        do {
            try Importer.checkGeometry(image: referenceImage, mask: predictedImage, imagePath: reference, maskPath: prediction)
        } catch let error as DataError {
            throw DataError(file: error.file, field: error.field, message: "geometry mismatch: \(error.message)")
        }
        let predicted = try predictedImage.labelVolume(file: prediction), truth = try referenceImage.labelVolume(file: reference)
        func binary(_ volume: LabelVolume) throws -> BinaryVolume {
            try BinaryVolume(shape: volume.shape.dims, spacing: Metrics.Spacing(x: volume.spacing.x, y: volume.spacing.y, z: volume.spacing.z),
                             labels: volume.voxels)
        }
        // Metrics refuses two grids that differ in shape or spacing, naming both.
        let metrics: CaseMetrics
        do {
            metrics = try evaluate(prediction: try binary(predicted), reference: try binary(truth))
        } catch let error as MetricsError {
            throw InputError("\(prediction) against \(reference): \(error)")
        }
        // The readers bound spacings, so a distance past Double's range means a defect here;
        // it is still refused rather than printed as inf or left to fail in the JSON encoder.
        let values: [(String, Double?)] = [
            ("dice", metrics.dice), ("iou", metrics.iou), ("assd", metrics.assd), ("assd_pooled", metrics.assdPooled),
            ("ravd", metrics.ravd), ("hd95", metrics.hd95),
        ]
        if let (name, value) = values.compactMap({ name, value in value.flatMap { $0.isFinite ? nil : (name, $0) } }).first {
            throw InputError("\(prediction) against \(reference): \(name) is \(value) (spacing \(truth.spacing)): not a finite metric")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(metrics), as: UTF8.self))
        } else {
            func show(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "undefined" }
            print("dice \(show(metrics.dice))  iou \(show(metrics.iou))  assd \(show(metrics.assd)) mm  assd_pooled \(show(metrics.assdPooled)) mm")
            print("ravd \(show(metrics.ravd))  hd95 \(show(metrics.hd95)) mm  flags \(metrics.flags)")
        }
    }
}

/// An error about the inputs of a command that is not a usage error: ArgumentParser prints it
/// as one line and exits 1, without the usage text it adds to a `ValidationError`.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
