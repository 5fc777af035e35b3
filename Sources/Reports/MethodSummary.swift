/// One method's row of the table: its jobs, its cases and the statistics over them.
///
/// With several seeds, each test case is scored once per seed. The table pools them: a case's
/// value is the mean of its defined values over the seeds (``cases``), and the row's mean and
/// SD run over those pooled cases, so that a case counts once whatever the number of seeds.
/// The raw case-seed rows (``runs``) give the counts, the undefined values and the spread of
/// the method's mean between seeds (``seedSpread``).
public struct MethodSummary: Sendable {
    /// The metrics of the table's columns, in order.
    public static let tableMetrics: [Metric] = [.dice, .iou, .assd, .ravd, .ravdAbs]
    /// The metrics tested against Ours. RAVD is tested by its absolute value: a signed error
    /// closer to zero is better, so the signed value has no "better" direction.
    public static let testedMetrics: [Metric] = [.dice, .iou, .assd, .ravdAbs]
    /// The over-segmentation diagnostics, reported beside the table.
    public static let diagnosticMetrics: [Metric] = [.diceGlandSlices, .falsePositiveMillilitres]

    /// The method: name, label, role.
    public let info: MethodInfo
    /// Jobs that completed.
    public let completedJobs: [JobKey]
    /// Jobs that failed, with the reasons.
    public let failedJobs: [(job: JobKey, reasons: [String])]
    /// Jobs with no result yet.
    public let missingJobs: [JobKey]
    /// Every scored case of every completed job: one row per case and seed.
    public let runs: [ScoredCase]
    /// Every scored case pooled over its seeds (seed nil), ordered by fold and case id.
    public let cases: [ScoredCase]
    /// Mean and SD per metric over the pooled cases (every metric of `Metric`); the undefined
    /// count is that of the case-seed rows.
    public let columns: [Metric: ColumnSummary]
    /// Per metric: the sample SD, between seeds, of the method's mean over the cases of each
    /// seed; nil with fewer than two seeds.
    public let seedSpread: [Metric: Double?]
    /// The seeds with at least one scored case, ascending.
    public let seeds: [Int]
    /// Paired tests against Ours per tested metric (on seed-pooled cases); empty for Ours
    /// itself or without Ours.
    public let versusOurs: [Metric: WilcoxonResult]

    /// Number of jobs of this method the run knows about.
    public var jobCount: Int { completedJobs.count + failedJobs.count + missingJobs.count }

    /// Whether every job of the method completed.
    public var isComplete: Bool { failedJobs.isEmpty && missingJobs.isEmpty }

    /// The summaries of every method of `run`, in table order.
    public static func summarise(_ run: RunDirectory) -> [MethodSummary] {
        let runsByMethod = Dictionary(grouping: run.jobs, by: \.job.method).mapValues { entries in
            entries.flatMap { entry in
                entry.metrics.map { m in m.cases.map { ScoredCase(fold: entry.job.fold, seed: entry.job.seed, scores: $0) } } ?? []
            }
        }
        let ours = runsByMethod[MethodCatalogue.ours].map(pool)
        return run.methods.map { method in
            var completed: [JobKey] = [], failed: [(JobKey, [String])] = [], missing: [JobKey] = []
            for entry in run.jobs where entry.job.method == method {
                let key = JobKey(fold: entry.job.fold, seed: entry.job.seed)
                switch entry.state {
                case .completed: completed.append(key)
                case .failed(let reasons, _): failed.append((key, reasons))
                case .missing: missing.append(key)
                }
            }
            let runs = runsByMethod[method] ?? []
            let cases = pool(runs)
            let seeds = Set(runs.compactMap(\.seed)).sorted()
            var columns: [Metric: ColumnSummary] = [:], spread: [Metric: Double?] = [:]
            for metric in Metric.allCases {
                let pooled = ColumnSummary(cases.map { $0.scores.value(metric) })
                columns[metric] = pooled.replacingUndefined(runs.filter { $0.scores.value(metric) == nil }.count)
                let seedMeans = seeds.map { seed in ColumnSummary(runs.filter { $0.seed == seed }.map { $0.scores.value(metric) }).mean }
                spread[metric] = seeds.count > 1 ? ColumnSummary(seedMeans).sd : nil
            }
            var tests: [Metric: WilcoxonResult] = [:]
            if method != MethodCatalogue.ours, let ours {
                for metric in testedMetrics { tests[metric] = pairedTest(cases, ours, metric) }
            }
            return MethodSummary(info: MethodCatalogue.info(method), completedJobs: completed, failedJobs: failed,
                                 missingJobs: missing, runs: runs, cases: cases, columns: columns, seedSpread: spread,
                                 seeds: seeds, versusOurs: tests)
        }
    }

    /// The case-seed rows pooled per case: each metric the mean of its defined values over
    /// the seeds (undefined when no seed defines it), the flags of every seed.
    static func pool(_ runs: [ScoredCase]) -> [ScoredCase] {
        let groups = Dictionary(grouping: runs, by: \.key)
        return groups.values.map { group in
            var values: [Metric: Double] = [:]
            for metric in Metric.allCases {
                if let mean = ColumnSummary(group.map { $0.scores.value(metric) }).mean { values[metric] = mean }
            }
            var flags: [String] = []
            for flag in group.flatMap(\.scores.flags) where !flags.contains(flag) { flags.append(flag) }
            let first = group[0]
            return ScoredCase(fold: first.fold, seed: nil,
                              scores: CaseScores(caseID: first.scores.caseID, site: first.scores.site, values: values, flags: flags))
        }.sorted { ($0.fold, $0.scores.caseID) < ($1.fold, $1.scores.caseID) }
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
