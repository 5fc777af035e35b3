import Datasets
import Foundation
import Jobs
import Reports
import Runner

/// What the coordinator accepts as the result of a training job, checked before the result is
/// journaled: its carried files must be those the report reads, for this job, scoring exactly
/// the fold's test cases with finite metrics. A result that fails is refused and its attempt
/// failed with the reason, so a forged or broken result never reaches the run directory.
public struct ResultCheck: Sendable {
    /// Test case ids per fold.
    let testCases: [Int: Set<String>]

    /// The check for jobs over `split`.
    public init(split: FoldSplit) {
        var cases: [Int: Set<String>] = [:]
        for fold in 0..<split.k { cases[fold] = Set(split.testIDs(fold)) }
        testCases = cases
    }

    /// Throws a ``PipelineError`` saying what is wrong with `output` as the result of `spec`.
    public func check(_ spec: JobSpec, _ output: JobOutput) throws {
        var files: [String: JSONValue] = [:]
        for (index, row) in output.rows.enumerated() {
            guard let name = row["file"]?.stringValue, ResultFiles.names.contains(name), let content = row["content"] else {
                throw PipelineError("rows[\(index)]: expected {\"file\": one of \(ResultFiles.names.joined(separator: ", ")), \"content\": ...}")
            }
            guard files[name] == nil else { throw PipelineError("rows[\(index)]: \(name) is carried twice") }
            files[name] = content
        }
        guard let metricsContent = files["metrics.json"] else { throw PipelineError("no metrics.json among the result's rows") }
        let metrics = try JobMetrics.decode(try JSONEncoder().encode(metricsContent), file: "metrics.json")
        guard metrics.method == spec.method, metrics.fold == spec.fold, metrics.seed == spec.seed else {
            throw PipelineError("metrics.json is for \(metrics.method) fold \(metrics.fold) seed \(metrics.seed.map(String.init) ?? "none"), not for the job \(spec.id)")
        }
        guard metrics.status == .completed else { throw PipelineError("metrics.json says \(metrics.status.rawValue), not completed") }
        guard let expected = testCases[spec.fold] else { throw PipelineError("fold \(spec.fold) is not a fold of the run") }
        let scored = Set(metrics.cases.map(\.caseID))
        guard scored == expected else {
            let missing = expected.subtracting(scored).sorted(), extra = scored.subtracting(expected).sorted()
            throw PipelineError("metrics.json: cases are not the test cases of fold \(spec.fold)"
                                + (missing.isEmpty ? "" : "; missing \(missing.prefix(5).joined(separator: ", "))")
                                + (extra.isEmpty ? "" : "; not test cases \(extra.prefix(5).joined(separator: ", "))"))
        }
        if let pseudo = files["pseudo_labels.json"] {
            _ = try PseudoLabelCounts.decode(try JSONEncoder().encode(pseudo), file: "pseudo_labels.json")
        }
    }
}
