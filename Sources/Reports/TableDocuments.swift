import Foundation

/// The text outputs of a report: table.md, table.csv, cases.csv and timing.csv.
enum TableDocuments {
    /// Display scale and decimals of each table column.
    private static let display: [Metric: (scale: Double, decimals: Int, title: String)] = [
        .dice: (100, 1, "Dice [%]"), .iou: (100, 1, "IoU [%]"), .assd: (1, 2, "ASSD [mm]"),
        .assdPooled: (1, 2, "ASSD pooled [mm]"), .ravd: (1, 3, "RAVD"), .ravdAbs: (1, 3, "|RAVD|"), .hd95: (1, 2, "HD95 [mm]"),
        .diceGlandSlices: (100, 1, "Dice on gland slices [%]"), .falsePositiveMillilitres: (1, 2, "Volume off the gland slices [mL]"),
    ]

    private static let testTitles: [Metric: String] = [.dice: "Dice", .iou: "IoU", .assd: "ASSD", .ravdAbs: "|RAVD|"]

    static func rowLabel(_ info: MethodInfo) -> String {
        switch info.role {
        case .reference: return "*\(info.label); \(info.capability ?? "not a competitor")*"
        case .other: return "\(info.label) (other)"
        default: return info.label
        }
    }

    /// "mean ± SD", with the undefined count when there is one.
    static func cell(_ summary: ColumnSummary?, _ metric: Metric) -> String {
        guard let summary, let style = display[metric] else { return "n/a" }
        var text: String
        if let mean = summary.mean {
            text = Format.fixed(mean * style.scale, style.decimals) + " ± " + Format.fixed(summary.sd.map { $0 * style.scale }, style.decimals)
        } else {
            text = "n/a"
        }
        if summary.undefined > 0 { text += " (\(summary.undefined) undefined)" }
        return text
    }

    static func jobsCell(_ summary: MethodSummary) -> String {
        var text = "\(summary.completedJobs.count)/\(summary.jobCount)"
        var problems = summary.failedJobs.map { "\($0.job) FAILED" }
        problems += summary.missingJobs.map { "\($0) MISSING" }
        if !problems.isEmpty { text = "**\(text)**: " + problems.joined(separator: ", ") }
        return text
    }

    /// The SD of the method's mean between seeds, on the table's scale; "—" for one seed.
    static func seedSpreadCell(_ summary: MethodSummary, _ metric: Metric) -> String {
        guard let spread = summary.seedSpread[metric] ?? nil, let style = display[metric] else { return "—" }
        return Format.fixed(spread * style.scale, style.decimals) + " (\(summary.seeds.count) seeds)"
    }

    static func testCell(_ result: WilcoxonResult?) -> String {
        guard let result else { return "—" }
        guard result.pairs > 0 else { return "n/a (no paired cases)" }
        // Every pair tied: there is no test to speak of, exact or not.
        guard result.nonZero > 0 else { return "n/a (no non-zero differences in \(result.pairs) pairs)" }
        return "\(Format.pValue(result.pValue)) (n=\(result.nonZero), \(result.method.rawValue))"
    }

    // MARK: table.md

    static func markdown(run: RunDirectory, summaries: [MethodSummary], pseudoLabels: [(String, PseudoLabelSummary)], figureNote: String?) -> String {
        var md = "# Table 1 of this run\n\n"
        md += "Run directory: `\(run.url.lastPathComponent)`. Made by `sparseseg report` from the per-job `metrics.json` files.\n\n"
        let completed = run.jobs.filter { if case .completed = $0.state { return true } else { return false } }.count
        let status = run.jobs.count == completed ? "all \(completed) jobs completed" : "**partial run: \(completed) of \(run.jobs.count) jobs completed**"
        md += "Status: \(status).\n\n"
        md += "Mean ± sample standard deviation (divisor n − 1) over all test cases of all completed folds; "
        md += "with several seeds, each case is first averaged over its seeds, so a case counts once. "
        md += "\"n\" counts case × seed pairs; \"SD between seeds\" is the standard deviation of the method's mean Dice "
        md += "computed per seed, the run-to-run spread of the row. "
        md += "Dice and IoU in %, ASSD in mm (mean of the two directed mean surface distances, medpy ≤ 0.4), "
        md += "RAVD = (|prediction| − |reference|) / |reference| signed, |RAVD| its absolute value. "
        md += "A metric undefined for a case (for example ASSD when the prediction is empty) is left out of that column's "
        md += "mean and counted as \"undefined\" (case × seed pairs) in the cell. \"Jobs\" counts completed jobs (fold × seed); "
        md += "failed or missing ones are named. "
        md += "p: two-sided paired Wilcoxon signed-rank test of the method against Ours on Dice over the cases both scored, "
        md += "each averaged over its seeds "
        md += "(all metrics in the next table).\n\n"

        var table = TextTable(header: ["Method"] + MethodSummary.tableMetrics.map { display[$0]!.title }
                              + ["SD between seeds (Dice)", "n (case × seed)", "Jobs", "p vs Ours (Dice)"])
        for summary in summaries {
            let p = summary.info.name == MethodCatalogue.ours ? "(reference of the tests)" : testCell(summary.versusOurs[.dice])
            table.append([rowLabel(summary.info)] + MethodSummary.tableMetrics.map { cell(summary.columns[$0], $0) }
                         + [seedSpreadCell(summary, .dice), "\(summary.runs.count)", jobsCell(summary), p])
        }
        md += table.markdown + "\n"
        md += flagsParagraph(summaries)
        md += diagnosticsSection(summaries)

        md += "## Paired Wilcoxon signed-rank tests against Ours\n\n"
        md += "Pairs are the same test case (same fold, same case id) scored by the method and by Ours, with the metric defined for both. "
        md += "Zero differences are dropped (Wilcoxon's rule, scipy's `zero_method=\"wilcox\"`); n is the number of non-zero differences. "
        md += "\"exact\": the exact null distribution (n ≤ \(WilcoxonResult.exactLimit), no ties); \"normal\": the normal approximation with "
        md += "tie correction and continuity correction. RAVD is tested by its absolute value.\n\n"
        if summaries.contains(where: { $0.info.name == MethodCatalogue.ours && !$0.cases.isEmpty }) {
            var tests = TextTable(header: ["Method"] + MethodSummary.testedMetrics.map { "p " + testTitles[$0]! } + ["mean Δ Dice vs Ours [pp]"])
            for summary in summaries where summary.info.name != MethodCatalogue.ours {
                tests.append([rowLabel(summary.info)] + MethodSummary.testedMetrics.map { testCell(summary.versusOurs[$0]) }
                             + [Format.fixed(meanDifference(summary, summaries, .dice).map { $0 * 100 }, 1)])
            }
            md += tests.markdown + "\n"
        } else {
            md += "**No test: Ours has no completed job in this run.**\n\n"
        }

        md += "## The paper's Table 1 (published numbers, PROMISE12; not this run)\n\n"
        md += "Osman et al., arXiv 2211.08840, Table 1: mean ± SD on PROMISE12 by 5-fold cross-validation, "
        md += "as printed (the paper does not say whether RAVD is signed, nor the unit of ASSD). Compare shapes, not numbers: "
        md += "this run's data and settings are those of the provenance below.\n\n"
        var paper = TextTable(header: ["Method (paper)", "Dice [%]", "IoU [%]", "ASSD", "RAVD"])
        for info in MethodCatalogue.all { if let row = info.paper { paper.append([info.label] + row.printed) } }
        md += paper.markdown + "\n"

        md += jobsSection(run)
        for (method, summary) in pseudoLabels { md += summary.markdown(methodLabel: MethodCatalogue.info(method).label) }
        md += timingSection(run)
        if let figureNote { md += "## Figure\n\n\(figureNote)\n\n" }
        md += "## Provenance\n\n"
        if let yaml = run.experimentYAML {
            md += "The resolved experiment (`experiment.resolved.yaml`), verbatim:\n\n```yaml\n\(yaml)\(yaml.hasSuffix("\n") ? "" : "\n")```\n"
        } else {
            md += "**`experiment.resolved.yaml` is missing**: these numbers have no recorded settings.\n"
        }
        return md
    }

    /// How many cases carry each flag (empty prediction, empty reference, ...), per method.
    static func flagsParagraph(_ summaries: [MethodSummary]) -> String {
        var lines: [String] = []
        for summary in summaries {
            var counts: [String: Int] = [:]
            for scored in summary.runs { for flag in scored.scores.flags { counts[flag, default: 0] += 1 } }
            guard !counts.isEmpty else { continue }
            let list = counts.sorted { $0.key < $1.key }.map { "\($0.value) case × seed pair(s) \($0.key)" }
            lines.append("- \(summary.info.label): " + list.joined(separator: ", "))
        }
        return lines.isEmpty ? "" : "Flagged cases (their undefined metrics are counted above, never read as 0):\n\n" + lines.joined(separator: "\n") + "\n\n"
    }

    /// Over-segmentation: Dice on the slices that contain gland, and the volume predicted on
    /// the slices that contain none.
    static func diagnosticsSection(_ summaries: [MethodSummary]) -> String {
        guard summaries.contains(where: { s in MethodSummary.diagnosticMetrics.contains { (s.columns[$0]?.count ?? 0) > 0 } }) else { return "" }
        var md = "## Where the errors are: gland slices and gland-free slices\n\n"
        md += "Per test volume, on its original grid: the Dice of prediction and reference restricted to the slices whose reference "
        md += "contains gland, and the volume the method predicts on the slices whose reference contains none (every voxel there "
        md += "is a false positive), in mL. A method that over-segments along the slice axis shows a large volume off the gland "
        md += "slices while its Dice on the gland slices may be close to the others'. Mean ± SD over cases, pooled over seeds as above.\n\n"
        let metrics = MethodSummary.diagnosticMetrics + [.dice]
        var table = TextTable(header: ["Method"] + metrics.map { display[$0]!.title == "Dice [%]" ? "Dice in 3D [%]" : display[$0]!.title })
        for summary in summaries {
            table.append([rowLabel(summary.info)] + metrics.map { cell(summary.columns[$0], $0) })
        }
        return md + table.markdown + "\n"
    }

    static func meanDifference(_ summary: MethodSummary, _ all: [MethodSummary], _ metric: Metric) -> Double? {
        guard let ours = all.first(where: { $0.info.name == MethodCatalogue.ours }) else { return nil }
        var oursByKey: [String: Double] = [:]
        for scored in ours.cases { oursByKey[scored.key] = scored.scores.value(metric) }
        let differences: [Double?] = summary.cases.compactMap { scored in
            guard let value = scored.scores.value(metric), let reference = oursByKey[scored.key] else { return nil }
            return value - reference
        }
        return ColumnSummary(differences).mean
    }

    static func jobsSection(_ run: RunDirectory) -> String {
        var md = "## Jobs\n\n"
        let failed = run.jobs.compactMap { entry -> (JobEntry, [String])? in
            if case .failed(let reasons, _) = entry.state { return (entry, reasons) }
            return nil
        }
        let missing = run.jobs.filter { $0.state == .missing }
        if failed.isEmpty && missing.isEmpty {
            md += "Every job completed.\n\n"
        }
        if !failed.isEmpty {
            md += "Failed jobs (their cases are absent from the table):\n\n"
            for (entry, reasons) in failed {
                md += "- `\(entry.job.id)`: " + (reasons.isEmpty ? "no reason recorded" : reasons.joined(separator: "; ")) + "\n"
            }
            md += "\n"
        }
        if !missing.isEmpty {
            md += "Missing jobs (no `metrics.json` yet: not finished, or lost):\n\n"
            md += missing.map { "- `\($0.job.id)`" }.joined(separator: "\n") + "\n\n"
        }
        if !run.notes.isEmpty {
            md += "Notes:\n\n" + run.notes.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
        }
        return md
    }

    static func timingSection(_ run: RunDirectory) -> String {
        var md = "## Timing per job\n\n"
        md += "Wall time of each job, optimiser steps per second and the worker that ran it (also in `timing.csv`), "
        md += "to plan a cluster run.\n\n"
        var table = TextTable(header: ["Job", "Status", "Wall time", "Steps", "Steps/s", "Worker"])
        var total = 0.0
        for entry in run.jobs {
            let (status, metrics) = statusAndMetrics(entry)
            let timing = metrics?.timing ?? JobTiming()
            total += timing.wallSeconds ?? 0
            table.append([entry.job.id, status, Format.duration(timing.wallSeconds), timing.steps.map(String.init) ?? "n/a",
                          Format.fixed(timing.stepsPerSecond, 2), timing.worker ?? "n/a"])
        }
        md += table.markdown + "\n"
        md += "Sum of the recorded job wall times: \(Format.duration(total)).\n\n"
        var perMethod = TextTable(header: ["Method", "Jobs timed", "Mean wall time per job", "Total wall time", "Mean steps/s"])
        for method in run.methods {
            let timings = run.jobs.filter { $0.job.method == method }.compactMap { statusAndMetrics($0).1?.timing }
            let walls = ColumnSummary(timings.map(\.wallSeconds)), rates = ColumnSummary(timings.map(\.stepsPerSecond))
            perMethod.append([MethodCatalogue.info(method).label, "\(walls.count)", Format.duration(walls.mean),
                              Format.duration(walls.mean.map { $0 * Double(walls.count) }), Format.fixed(rates.mean, 2)])
        }
        md += "Per method:\n\n" + perMethod.markdown + "\n"
        return md
    }

    static func statusAndMetrics(_ entry: JobEntry) -> (String, JobMetrics?) {
        switch entry.state {
        case .completed(let metrics): return ("completed", metrics)
        case .failed(_, let metrics): return ("failed", metrics)
        case .missing: return ("missing", nil)
        }
    }

    // MARK: CSV files

    private static let csvNames: [Metric: String] = [
        .dice: "dice_pct", .iou: "iou_pct", .assd: "assd_mm", .assdPooled: "assd_pooled_mm", .ravd: "ravd", .ravdAbs: "ravd_abs", .hd95: "hd95_mm",
        .diceGlandSlices: "dice_gland_slices_pct", .falsePositiveMillilitres: "fp_ml_gland_free",
    ]

    static func tableCSV(_ summaries: [MethodSummary]) -> String {
        var header = ["source", "method", "label", "role", "capability", "n_cases", "n_seeds", "jobs_expected", "jobs_completed", "jobs_failed", "jobs_missing"]
        for metric in Metric.allCases {
            header += ["\(csvNames[metric]!)_mean", "\(csvNames[metric]!)_sd", "\(csvNames[metric]!)_sd_between_seeds", "\(metric.rawValue)_undefined"]
        }
        header += MethodSummary.testedMetrics.flatMap { ["p_\($0.rawValue)_vs_ours", "n_\($0.rawValue)_nonzero_pairs", "test_\($0.rawValue)"] }
        var table = TextTable(header: header)
        func jobs(_ list: [JobKey]) -> String { list.map { "fold\($0.fold)/seed\($0.seed)" }.joined(separator: ";") }
        for summary in summaries {
            var row = ["this run", summary.info.name, summary.info.label, summary.info.role.rawValue, summary.info.capability ?? "",
                       "\(summary.runs.count)", "\(summary.seeds.count)", "\(summary.jobCount)", jobs(summary.completedJobs),
                       jobs(summary.failedJobs.map(\.job)), jobs(summary.missingJobs)]
            for metric in Metric.allCases {
                let column = summary.columns[metric]!
                let scale = display[metric]!.scale
                row += [TextTable.number(column.mean.map { $0 * scale }), TextTable.number(column.sd.map { $0 * scale }),
                        TextTable.number((summary.seedSpread[metric] ?? nil).map { $0 * scale }), "\(column.undefined)"]
            }
            for metric in MethodSummary.testedMetrics {
                let test = summary.versusOurs[metric]
                let method = test.flatMap { $0.nonZero > 0 ? $0.method.rawValue : nil }
                row += [TextTable.number(test?.pValue), test.map { "\($0.nonZero)" } ?? TextTable.undefined, method ?? TextTable.undefined]
            }
            table.append(row)
        }
        for info in MethodCatalogue.all {
            guard let paper = info.paper else { continue }
            var row = ["paper (PROMISE12)", info.name, info.label, info.role.rawValue, "", TextTable.undefined, TextTable.undefined, "5",
                       TextTable.undefined, TextTable.undefined, TextTable.undefined]
            let published: [Metric: (mean: Double, sd: Double)] = [.dice: paper.dice, .iou: paper.iou, .assd: paper.assd, .ravd: paper.ravd]
            for metric in Metric.allCases {
                if let value = published[metric] {
                    row += [TextTable.number(value.mean), TextTable.number(value.sd), TextTable.undefined, TextTable.undefined]
                } else {
                    row += [TextTable.undefined, TextTable.undefined, TextTable.undefined, TextTable.undefined]
                }
            }
            row += MethodSummary.testedMetrics.flatMap { _ in [TextTable.undefined, TextTable.undefined, TextTable.undefined] }
            table.append(row)
        }
        return table.csv
    }

    static func casesCSV(_ summaries: [MethodSummary]) -> String {
        var table = TextTable(header: ["method", "fold", "seed", "case", "site"] + Metric.allCases.map(\.casesCSVColumn) + ["flags"])
        for summary in summaries {
            for scored in summary.runs {
                table.append([summary.info.name, "\(scored.fold)", scored.seed.map(String.init) ?? TextTable.undefined, scored.scores.caseID,
                              scored.scores.site ?? TextTable.undefined]
                           + Metric.allCases.map { TextTable.exact(scored.scores.value($0)) } + [scored.scores.flags.joined(separator: ";")])
            }
        }
        return table.csv
    }

    static func timingCSV(_ run: RunDirectory) -> String {
        var table = TextTable(header: ["job", "method", "fold", "seed", "status", "wall_seconds", "steps", "steps_per_second", "worker"])
        for entry in run.jobs {
            let (status, metrics) = statusAndMetrics(entry)
            let timing = metrics?.timing ?? JobTiming()
            table.append([entry.job.id, entry.job.method, "\(entry.job.fold)", "\(entry.job.seed)", status, TextTable.exact(timing.wallSeconds),
                        timing.steps.map(String.init) ?? TextTable.undefined, TextTable.exact(timing.stepsPerSecond), timing.worker ?? TextTable.undefined])
        }
        return table.csv
    }
}
