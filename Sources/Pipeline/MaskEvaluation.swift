import Datasets
import Foundation
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

/// Every prediction of a folder scored against the reference of the same case name in another.
///
/// As nnU-Net's `nnUNetv2_evaluate_folder`: a prediction without a reference is an error, and
/// so, by default, is a reference without a prediction (a forgotten case would otherwise
/// raise the mean silently); `allowMissing` (its `--chill`) scores the predictions there are
/// and lists the references left over as ``missing``, as when a fold's predictions are scored
/// against the references of the whole dataset.
public struct FolderEvaluation: Sendable {
    /// The scored cases, by case name.
    public let cases: [ScoredMask]
    /// The case names with a reference and no prediction (only with `allowMissing`).
    public let missing: [String]

    /// Reads and scores every pair; the first data error ends it.
    public init(predictions: String, references: String, allowMissing: Bool = false, limits: ImageLimits = ImageLimits()) throws {
        let predicted = try ImageFolder(predictions), truth = try ImageFolder(references)
        let orphans = predicted.caseNames.filter { truth.files[$0] == nil }
        if !orphans.isEmpty {
            throw DataError(file: predicted.files[orphans[0]]!, field: "",
                            message: "no reference of this case in \(references)" + Self.others(orphans.dropFirst().map { predicted.files[$0]! }))
        }
        let missing = truth.caseNames.filter { predicted.files[$0] == nil }
        if !missing.isEmpty && !allowMissing {
            throw DataError(file: truth.files[missing[0]]!, field: "",
                            message: "no prediction of this case in \(predictions)" + Self.others(missing.dropFirst().map { truth.files[$0]! })
                                + "; --allow-missing scores the predictions there are")
        }
        cases = try predicted.caseNames.map { name in
            try MaskEvaluation.score(prediction: predicted.files[name]!, reference: truth.files[name]!, caseName: name, limits: limits)
        }
        self.missing = missing
    }

    private static func others(_ files: [String]) -> String {
        guard !files.isEmpty else { return "" }
        let names = files.prefix(5).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        return " (nor of \(names)\(files.count > 5 ? " and \(files.count - 5) more" : ""))"
    }

    /// Per metric, the mean of the cases where it is defined; absent where it is defined for none.
    public var means: [Metric: Double] {
        var result: [Metric: Double] = [:]
        for metric in Metric.allCases {
            let defined = cases.compactMap { $0.values[metric] }
            if !defined.isEmpty { result[metric] = defined.reduce(0, +) / Double(defined.count) }
        }
        return result
    }

    /// cases.csv: a row per case with the run's cases.csv column names (NA when undefined,
    /// flags joined by `;`), then the row `mean`, whose flags cell gives how many cases it averages.
    public var csv: String {
        var table = TextTable(header: ["case"] + Metric.allCases.map(\.casesCSVColumn) + ["flags"])
        for scored in cases {
            let values = scored.values
            table.append([scored.caseName] + Metric.allCases.map { TextTable.exact(values[$0]) } + [scored.metrics.flags.names.joined(separator: ";")])
        }
        let means = means
        table.append(["mean"] + Metric.allCases.map { TextTable.exact(means[$0]) } + ["n=\(cases.count)"])
        return table.csv
    }

    /// The JSON object of `--json`: `cases` (metrics.json's case keys), `mean` (the same keys,
    /// null where undefined for every case, and `n`) and `missing`.
    public var json: Data {
        get throws {
            func object(_ values: [Metric: Double]) -> [String: Any] {
                Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0.rawValue, values[$0].map { $0 as Any } ?? NSNull()) })
            }
            let rows = cases.map { scored in
                object(scored.values).merging(["case": scored.caseName, "flags": scored.metrics.flags.names]) { a, _ in a }
            }
            let document: [String: Any] = ["cases": rows, "mean": object(means).merging(["n": cases.count]) { a, _ in a }, "missing": missing]
            return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        }
    }
}
