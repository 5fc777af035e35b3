import ArgumentParser
import AtomicFiles
import Datasets
import Foundation
import Metrics
import Pipeline
import Reports

/// `sparseseg evaluate --prediction P --reference R [--json]`: the metrics of one case;
/// `sparseseg evaluate --predictions DIR --references DIR [--csv FILE] [--json]`: of every
/// case of a folder, matched by case name (docs/interop.md).
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score predicted masks against reference masks in 3D with the reference's spacing.",
        discussion: """
            Reads NIfTI (.nii, .nii.gz) or MetaImage (.mha, .mhd); foreground is any non-zero label. With \
            --predictions and --references, each prediction is scored against the reference of the same case \
            name (the file name without .nii, .nii.gz, .mha or .mhd); a prediction without a reference is an \
            error, and so is a reference without a prediction unless --allow-missing.
            """)

    @Option(help: "The predicted mask.")
    var prediction: String?

    @Option(help: "The reference mask.")
    var reference: String?

    @Option(help: "A folder of predicted masks, one file per case.")
    var predictions: String?

    @Option(help: "A folder of reference masks, one file per case.")
    var references: String?

    @Option(help: "With folders: also write the table as CSV here (the columns of a run's cases.csv, then a mean row).")
    var csv: String?

    @Flag(help: "With folders: score the predictions there are when some references have none, and list those as missing.")
    var allowMissing = false

    @Flag(help: "Print JSON: for a pair the keys dice, iou, assd, assd_pooled, ravd, hd95, ravd_abs and flags; for folders cases, mean and missing.")
    var json = false

    @OptionGroup var imageLimits: ImageLimitOptions

    /// One mode or the other, each complete: a usage error, one line, before any file is read.
    /// Checked in run() rather than validate(), which `sparseseg help evaluate` also calls,
    /// where the error line would be printed beside the help.
    private func checkModes() throws {
        let pair = prediction != nil || reference != nil, folders = predictions != nil || references != nil
        if pair && folders { throw flagError("--prediction/--reference score one pair, --predictions/--references two folders: use one or the other") }
        if folders {
            guard predictions != nil && references != nil else { throw flagError("--predictions and --references go together: name both folders") }
        } else {
            guard prediction != nil && reference != nil else { throw flagError("--prediction and --reference (or --predictions and --references) are required") }
            if csv != nil { throw flagError("--csv goes with --predictions and --references") }
            if allowMissing { throw flagError("--allow-missing goes with --predictions and --references") }
        }
    }

    func run() throws {
        // Data errors are thrown as such (one line, exit 1).
        try checkModes()
        if let predictions, let references {
            return try evaluateFolders(predictions, references)
        }
        let scored = try MaskEvaluation.score(prediction: prediction!, reference: reference!, limits: imageLimits.limits)
        let metrics = scored.metrics
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

    private func evaluateFolders(_ predictions: String, _ references: String) throws {
        let evaluation = try FolderEvaluation(predictions: predictions, references: references, allowMissing: allowMissing, limits: imageLimits.limits)
        if let csv {
            // An AtomicFileError names the file and reads as one line, like a data error.
            try AtomicFile.write(Data(evaluation.csv.utf8), to: URL(fileURLWithPath: csv))
        }
        if json {
            print(String(decoding: try evaluation.json, as: UTF8.self))
            return
        }
        // The text table shows the paper's metrics; the CSV and the JSON hold every one.
        let columns: [(title: String, metric: Metric, format: String)] = [
            ("dice", .dice, "%.4f"), ("iou", .iou, "%.4f"), ("assd_mm", .assd, "%.2f"), ("hd95_mm", .hd95, "%.2f"), ("ravd", .ravd, "%.4f"),
        ]
        let width = max(evaluation.cases.map(\.caseName.count).max() ?? 0, 4)
        func line(_ name: String, _ cells: [String], _ flags: String) -> String {
            ([name.padding(toLength: width, withPad: " ", startingAt: 0)] + cells.map { String(repeating: " ", count: max(0, 8 - $0.count)) + $0 } + [flags])
                .joined(separator: "  ")
        }
        func values(_ values: [Metric: Double]) -> [String] {
            columns.map { column in values[column.metric].map { String(format: column.format, $0) } ?? "NA" }
        }
        print(line("case", columns.map(\.title), "flags"))
        for scored in evaluation.cases { print(line(scored.caseName, values(scored.values), scored.metrics.flags.description)) }
        print(line("mean", values(evaluation.means), "n=\(evaluation.cases.count)"))
        if !evaluation.missing.isEmpty {
            print("missing (a reference, no prediction): \(evaluation.missing.joined(separator: ", "))")
        }
        if let csv { print("wrote \(csv)") }
    }
}
