import Foundation

/// Two runs side by side (`sparseseg compare RUN_A RUN_B`): for every method both ran, each test
/// case scored by both (averaged over each run's seeds), the paired difference B - A per metric
/// and the two-sided Wilcoxon signed-rank test of those differences.
///
/// The runs must split the data alike: the same test cases in the same folds, so that a pair
/// is the same volume predicted by a network that never saw it in either run.
///
/// Given method pairs (`--pair mt:mt-separate-bn`), method X of A is compared with method Y of
/// B instead of each method with its namesake; with A and B the same run directory, that
/// compares two methods of one run, such as a method and its ablation.
public struct RunComparison: Sendable {
    /// The metrics compared.
    public static let metrics: [Metric] = [.dice, .iou, .assd, .ravdAbs, .diceGlandSlices, .falsePositiveMillilitres]

    /// One method of both runs.
    public struct MethodComparison: Sendable {
        /// The method's name in A.
        public let method: String
        /// The method's name in B: `method` unless the comparison was given pairs.
        public let methodB: String
        /// `method`, or `method:methodB` when they differ: the key of CSV rows and JSON.
        public var name: String { method == methodB ? method : "\(method):\(methodB)" }
        /// Per metric: the paired summary.
        public let metrics: [Metric: MetricComparison]
        /// The cases both runs scored, with their values (A, B) per metric.
        public let cases: [CaseComparison]
    }

    /// One metric of one method over the paired cases.
    public struct MetricComparison: Sendable {
        /// Cases where both runs define the metric.
        public let pairs: Int
        /// Means of A and of B over those pairs, and of B - A.
        public let meanA: Double?, meanB: Double?, meanDifference: Double?
        /// The signed-rank test of B - A.
        public let test: WilcoxonResult
    }

    /// One test case of one method in both runs.
    public struct CaseComparison: Sendable {
        public let fold: Int
        public let caseID: String
        /// Per metric: (A, B), either undefined.
        public let values: [Metric: (a: Double?, b: Double?)]
    }

    /// The two run directories.
    public let a: URL, b: URL
    /// Methods of both runs, in table order.
    public let methods: [MethodComparison]
    /// Methods of one run only.
    public let onlyA: [String], onlyB: [String]

    /// Compares the runs at `a` and `b`: each method with its namesake, or, given `pairs`, each
    /// pair's method of A with its method of B. Throws a ``ReportError`` when either run cannot
    /// be read, their folds test different cases, or a paired method is not in its run.
    public static func compare(_ a: URL, _ b: URL, pairs: [(a: String, b: String)] = []) throws -> RunComparison {
        let (runA, runB) = (try RunDirectory.load(a), try RunDirectory.load(b))
        for fold in Set(runA.testCases.keys).intersection(runB.testCases.keys).sorted()
        where Set(runA.testCases[fold]!) != Set(runB.testCases[fold]!) {
            throw ReportError(file: b.appendingPathComponent("folds.json").path, field: "folds[\(fold)]",
                              message: "tests other cases than \(a.path)'s fold \(fold): the runs split the data differently, so their cases cannot be paired")
        }
        let (summariesA, summariesB) = (MethodSummary.summarise(runA), MethodSummary.summarise(runB))
        let namesB = Set(summariesB.map(\.info.name)), namesA = Set(summariesA.map(\.info.name))
        for (name, names, url) in pairs.map({ ($0.a, namesA, a) }) + pairs.map({ ($0.b, namesB, b) }) where !names.contains(name) {
            throw ReportError(file: url.path, field: "pair",
                              message: "no method '\(name)' in this run (its methods: \(names.sorted().joined(separator: ", ")))")
        }
        let matched: [(MethodSummary, MethodSummary)]
        if pairs.isEmpty {
            matched = summariesA.compactMap { summaryA in summariesB.first { $0.info.name == summaryA.info.name }.map { (summaryA, $0) } }
        } else {
            matched = pairs.map { pair in (summariesA.first { $0.info.name == pair.a }!, summariesB.first { $0.info.name == pair.b }!) }
        }
        var methods: [MethodComparison] = []
        for (summaryA, summaryB) in matched {
            let byKey = Dictionary(summaryB.cases.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            var cases: [CaseComparison] = []
            for scored in summaryA.cases {
                guard let other = byKey[scored.key] else { continue }
                var values: [Metric: (a: Double?, b: Double?)] = [:]
                for metric in metrics { values[metric] = (scored.scores.value(metric), other.scores.value(metric)) }
                cases.append(CaseComparison(fold: scored.fold, caseID: scored.scores.caseID, values: values))
            }
            var perMetric: [Metric: MetricComparison] = [:]
            for metric in metrics {
                let pairs = cases.compactMap { c -> (Double, Double)? in
                    guard let a = c.values[metric]?.a, let b = c.values[metric]?.b else { return nil }
                    return (a, b)
                }
                perMetric[metric] = MetricComparison(
                    pairs: pairs.count, meanA: ColumnSummary(pairs.map(\.0)).mean, meanB: ColumnSummary(pairs.map(\.1)).mean,
                    meanDifference: ColumnSummary(pairs.map { $0.1 - $0.0 }).mean,
                    test: WilcoxonResult.test(differences: pairs.map { $0.1 - $0.0 }))
            }
            methods.append(MethodComparison(method: summaryA.info.name, methodB: summaryB.info.name, metrics: perMetric, cases: cases))
        }
        guard pairs.isEmpty else { return RunComparison(a: a, b: b, methods: methods, onlyA: [], onlyB: []) }
        return RunComparison(a: a, b: b, methods: methods, onlyA: namesA.subtracting(namesB).sorted(), onlyB: namesB.subtracting(namesA).sorted())
    }

    private static let titles: [Metric: (title: String, scale: Double, decimals: Int)] = [
        .dice: ("Dice [%]", 100, 1), .iou: ("IoU [%]", 100, 1), .assd: ("ASSD [mm]", 1, 2), .ravdAbs: ("|RAVD|", 1, 3),
        .diceGlandSlices: ("Dice on gland slices [%]", 100, 1), .falsePositiveMillilitres: ("Volume off the gland slices [mL]", 1, 2),
    ]

    /// One Markdown table per metric: per method the means of A and B, B - A and the test.
    public var text: String {
        var text = "A: \(a.path)\nB: \(b.path)\nPaired by test case (each averaged over its run's seeds); Δ = B - A; "
        text += "p: two-sided Wilcoxon signed-rank test of the differences (n: non-zero differences).\n"
        for metric in Self.metrics {
            let style = Self.titles[metric]!
            var table = TextTable(header: ["Method", "A", "B", "Δ (B - A)", "pairs", "p"])
            for method in methods {
                let m = method.metrics[metric]!
                guard m.pairs > 0 else { continue }
                func scaled(_ value: Double?) -> String { Format.fixed(value.map { $0 * style.scale }, style.decimals) }
                let p = m.test.pValue.map { "\(Format.pValue($0)) (n=\(m.test.nonZero))" } ?? "n/a (every difference is 0)"
                let label = method.method == method.methodB
                    ? MethodCatalogue.info(method.method).label
                    : "\(MethodCatalogue.info(method.method).label) (A) vs \(MethodCatalogue.info(method.methodB).label) (B)"
                table.append([label, scaled(m.meanA), scaled(m.meanB), scaled(m.meanDifference), "\(m.pairs)", p])
            }
            guard !table.rows.isEmpty else { continue }
            text += "\n\(style.title)\n\n" + table.markdown
        }
        if !onlyA.isEmpty { text += "\nOnly in A: \(onlyA.joined(separator: ", "))\n" }
        if !onlyB.isEmpty { text += "\nOnly in B: \(onlyB.joined(separator: ", "))\n" }
        if methods.isEmpty { text += "\nThe runs have no method in common.\n" }
        return text
    }

    /// One row per method, test case and metric: the values in A and B and their difference.
    public var csv: String {
        var table = TextTable(header: ["method", "fold", "case", "metric", "a", "b", "difference"])
        for method in methods {
            for c in method.cases {
                for metric in Self.metrics {
                    let (a, b) = c.values[metric] ?? (nil, nil)
                    let difference = a.flatMap { a in b.map { $0 - a } }
                    table.append([method.name, "\(c.fold)", c.caseID, metric.rawValue, TextTable.exact(a), TextTable.exact(b), TextTable.exact(difference)])
                }
            }
        }
        return table.csv
    }

    /// The summary as JSON: per method and metric the pairs, means, difference and test.
    public func json() throws -> Data {
        struct Entry: Encodable {
            let pairs: Int, meanA: Double?, meanB: Double?, meanDifference: Double?, p: Double?, nonZero: Int, test: String
            enum CodingKeys: String, CodingKey {
                case pairs, meanA = "mean_a", meanB = "mean_b", meanDifference = "mean_difference", p, nonZero = "nonzero_differences", test
            }
        }
        struct Document: Encodable {
            let a: String, b: String, methods: [String: [String: Entry]], onlyA: [String], onlyB: [String]
            enum CodingKeys: String, CodingKey { case a, b, methods, onlyA = "only_a", onlyB = "only_b" }
        }
        var methodsJSON: [String: [String: Entry]] = [:]
        for method in methods {
            var entries: [String: Entry] = [:]
            for (metric, m) in method.metrics {
                entries[metric.rawValue] = Entry(pairs: m.pairs, meanA: m.meanA, meanB: m.meanB, meanDifference: m.meanDifference,
                                                 p: m.test.pValue, nonZero: m.test.nonZero, test: m.test.method.rawValue)
            }
            methodsJSON[method.name] = entries
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Document(a: a.path, b: b.path, methods: methodsJSON, onlyA: onlyA, onlyB: onlyB))
    }
}
