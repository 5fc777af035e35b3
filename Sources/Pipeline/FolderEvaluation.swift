import Datasets
import Foundation
import Reports

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
