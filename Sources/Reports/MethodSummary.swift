/// A case scored by a job: its fold and its scores.
public struct ScoredCase: Sendable, Equatable {
    /// The fold whose job scored the case.
    public let fold: Int
    /// The case id and its metrics.
    public let scores: CaseScores

    /// Identifies the case across methods: the same fold and case id.
    public var key: String { "\(fold)/\(scores.caseID)" }
}

/// One method's row of the table: its jobs, its cases and the statistics over them.
public struct MethodSummary: Sendable {
    /// The metrics of the table's columns, in order.
    public static let tableMetrics: [Metric] = [.dice, .iou, .assd, .ravd, .ravdAbs]
    /// The metrics tested against Ours. RAVD is tested by its absolute value: a signed error
    /// closer to zero is better, so the signed value has no "better" direction.
    public static let testedMetrics: [Metric] = [.dice, .iou, .assd, .ravdAbs]

    /// The method: name, label, role.
    public let info: MethodInfo
    /// Folds whose job completed.
    public let completedFolds: [Int]
    /// Folds whose job failed, with the reasons.
    public let failedFolds: [(fold: Int, reasons: [String])]
    /// Folds with no result yet.
    public let missingFolds: [Int]
    /// Every scored case of every completed fold.
    public let cases: [ScoredCase]
    /// Mean and SD per metric over all cases (every metric of `Metric`).
    public let columns: [Metric: ColumnSummary]
    /// Paired tests against Ours per tested metric; empty for Ours itself or without Ours.
    public let versusOurs: [Metric: WilcoxonResult]

    /// Number of jobs of this method the run knows about.
    public var jobCount: Int { completedFolds.count + failedFolds.count + missingFolds.count }

    /// Whether every job of the method completed.
    public var isComplete: Bool { failedFolds.isEmpty && missingFolds.isEmpty }

    /// The summaries of every method of `run`, in table order.
    public static func summarise(_ run: RunDirectory) -> [MethodSummary] {
        let casesByMethod = Dictionary(grouping: run.jobs, by: \.job.method).mapValues { entries in
            entries.flatMap { entry in entry.metrics.map { m in m.cases.map { ScoredCase(fold: entry.job.fold, scores: $0) } } ?? [] }
        }
        let ours = casesByMethod[MethodCatalogue.ours]
        return run.methods.map { method in
            let entries = run.jobs.filter { $0.job.method == method }
            var completed: [Int] = [], failed: [(Int, [String])] = [], missing: [Int] = []
            for entry in entries {
                switch entry.state {
                case .completed: completed.append(entry.job.fold)
                case .failed(let reasons, _): failed.append((entry.job.fold, reasons))
                case .missing: missing.append(entry.job.fold)
                }
            }
            let cases = casesByMethod[method] ?? []
            var columns: [Metric: ColumnSummary] = [:]
            for metric in Metric.allCases { columns[metric] = ColumnSummary(cases.map { $0.scores.value(metric) }) }
            var tests: [Metric: WilcoxonResult] = [:]
            if method != MethodCatalogue.ours, let ours {
                for metric in testedMetrics { tests[metric] = pairedTest(cases, ours, metric) }
            }
            return MethodSummary(info: MethodCatalogue.info(method), completedFolds: completed, failedFolds: failed,
                                 missingFolds: missing, cases: cases, columns: columns, versusOurs: tests)
        }
    }

    /// The signed-rank test of `method - ours` over the cases both scored with `metric` defined.
    static func pairedTest(_ method: [ScoredCase], _ ours: [ScoredCase], _ metric: Metric) -> WilcoxonResult {
        var oursByKey: [String: Double] = [:]
        for scored in ours { oursByKey[scored.key] = scored.scores.value(metric) }
        var differences: [Double] = []
        for scored in method {
            guard let value = scored.scores.value(metric), let reference = oursByKey[scored.key] else { continue }
            differences.append(value - reference)
        }
        return WilcoxonResult.test(differences: differences)
    }
}
