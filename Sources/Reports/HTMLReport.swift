import Foundation

/// `index.html`: one self-contained page per run directory (no script, no network: styles
/// inline, plots as inline SVG, the figure and the curves as data URIs), rebuilt with every
/// report. It holds Table 1, per-method box plots of the per-case Dice and ASSD, the per-site
/// breakdown, the training curves (``TrainingCurves``), the figure, the failures and the timings.
///
/// The page is well-formed XHTML, so any XML parser reads it (the tests do).
enum HTMLReport {
    /// The page for `run`.
    static func page(run: RunDirectory, summaries: [MethodSummary], figurePNG: [UInt8]?, curvePNGs: [(method: String, png: [UInt8])] = []) -> String {
        var html = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head><meta charset="utf-8" /><title>\(escape(run.url.lastPathComponent)): Table 1</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .reference { font-style: italic; color: #555; }
            .failed { color: #b00; font-weight: bold; }
            svg { background: #fafafa; border: 1px solid #ddd; margin: 0.5em 1em 0.5em 0; }
            pre { background: #f4f4f4; padding: 1em; overflow-x: auto; }
            </style></head>
            <body>

            """
        let completed = run.jobs.filter { $0.metrics != nil }.count
        html += "<h1>Table 1 of \(escape(run.url.lastPathComponent))</h1>\n"
        html += "<p>\(completed == run.jobs.count ? "All \(completed) jobs completed." : "<span class=\"failed\">Partial run: \(completed) of \(run.jobs.count) jobs completed.</span>")"
        html += " Mean ± SD over the test cases of all folds, each case averaged over its seeds; p: paired Wilcoxon signed-rank test against Ours on Dice.</p>\n"
        html += table1(summaries)
        html += boxPlots(summaries)
        html += siteTable(summaries)
        html += curves(curvePNGs)
        if let figurePNG {
            html += "<h2>Figure 2</h2>\n<p>Yellow: the reference contour; each method's contour in its colour.</p>\n"
            html += "<img alt=\"Figure 2\" src=\"data:image/png;base64,\(Data(figurePNG).base64EncodedString())\" />\n"
        }
        html += failures(run)
        html += timings(run)
        if let yaml = run.experimentYAML { html += "<h2>Settings</h2>\n<pre>\(escape(yaml))</pre>\n" }
        return html + "</body>\n</html>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func row(_ cells: [String], header: Bool = false, cssClass: String? = nil) -> String {
        let tag = header ? "th" : "td"
        return "<tr\(cssClass.map { " class=\"\($0)\"" } ?? "")>" + cells.map { "<\(tag)>\(escape($0))</\(tag)>" }.joined() + "</tr>\n"
    }

    private static func table1(_ summaries: [MethodSummary]) -> String {
        var html = "<table>\n" + row(["Method", "Dice [%]", "IoU [%]", "ASSD [mm]", "RAVD", "|RAVD|", "SD between seeds (Dice)", "n (case × seed)", "Jobs", "p vs Ours (Dice)"], header: true)
        for s in summaries {
            let p = s.info.name == MethodCatalogue.ours ? "reference" : TableDocuments.testCell(s.versusOurs[.dice])
            html += row([s.info.label] + MethodSummary.tableMetrics.map { TableDocuments.cell(s.columns[$0], $0) }
                        + [TableDocuments.seedSpreadCell(s, .dice), "\(s.runs.count)", TableDocuments.jobsCell(s).replacingOccurrences(of: "**", with: ""), p],
                        cssClass: s.info.role == .reference ? "reference" : nil)
        }
        return html + "</table>\n"
    }

    // MARK: Box plots

    private static func colour(_ info: MethodInfo) -> String {
        // The figure's colours are for a black background; darken the light ones for white.
        let (r, g, b) = info.colour
        let scale = (Int(r) + Int(g) + Int(b)) > 500 ? 0.6 : 1.0
        return String(format: "#%02x%02x%02x", Int(Double(r) * scale), Int(Double(g) * scale), Int(Double(b) * scale))
    }

    /// Quartiles by linear interpolation (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    private static func boxPlots(_ summaries: [MethodSummary]) -> String {
        var html = "<h2>Per-case distributions</h2>\n<p>Box: quartiles and median of the per-case values (averaged over seeds); whiskers: minimum and maximum.</p>\n"
        for (metric, title, scale) in [(Metric.dice, "Dice [%]", 100.0), (.assd, "ASSD [mm]", 1)] {
            let series = summaries.map { s in (s.info, s.cases.compactMap { $0.scores.value(metric) }.map { $0 * scale }.sorted()) }.filter { !$0.1.isEmpty }
            guard let top = series.flatMap(\.1).max() else { continue }
            let upper = metric == .dice ? 100 : max(top * 1.05, 1e-9)
            let (width, height, left, bottom) = (110 * series.count + 60, 260, 50, 40)
            let plotHeight = Double(height - bottom - 10)
            func y(_ v: Double) -> Double { 10 + plotHeight * (1 - v / upper) }
            var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(escape(title))\">\n"
            svg += "<text x=\"5\" y=\"20\" font-size=\"12\">\(escape(title))</text>\n"
            for tick in 0...4 {
                let v = upper * Double(tick) / 4
                svg += String(format: "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\" />", left, width, y(v), y(v))
                svg += String(format: "<text x=\"4\" y=\"%.1f\" font-size=\"10\">%.*f</text>\n", y(v) + 3, metric == .dice ? 0 : 1, v)
            }
            for (index, (info, values)) in series.enumerated() {
                let x = Double(left + 20 + index * 110), c = colour(info)
                let (q1, median, q3) = (quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75))
                func f(_ v: Double) -> String { String(format: "%.1f", v) }
                svg += "<line x1=\"\(f(x + 30))\" x2=\"\(f(x + 30))\" y1=\"\(f(y(values.first!)))\" y2=\"\(f(y(values.last!)))\" stroke=\"\(c)\" />"
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y(q3)))\" width=\"60\" height=\"\(f(max(y(q1) - y(q3), 1)))\" fill=\"\(c)\" fill-opacity=\"0.3\" stroke=\"\(c)\" />"
                svg += "<line x1=\"\(f(x))\" x2=\"\(f(x + 60))\" y1=\"\(f(y(median)))\" y2=\"\(f(y(median)))\" stroke=\"\(c)\" stroke-width=\"2\" />\n"
                svg += "<text x=\"\(Int(x))\" y=\"\(height - bottom + 15)\" font-size=\"10\">\(escape(info.figureLabel))</text>\n"
            }
            html += svg + "</svg>\n"
        }
        return html
    }

    // MARK: Sites

    private static func siteTable(_ summaries: [MethodSummary]) -> String {
        let sites = Set(summaries.flatMap { $0.cases.compactMap(\.scores.site) }).sorted()
        guard !sites.isEmpty else { return "" }
        var html = "<h2>Dice [%] by acquisition site</h2>\n<table>\n" + row(["Method"] + sites, header: true)
        for s in summaries {
            html += row([s.info.label] + sites.map { site in
                let summary = ColumnSummary(s.cases.filter { $0.scores.site == site }.map { $0.scores.value(.dice) })
                return summary.mean.map { String(format: "%.1f (n=%d)", $0 * 100, summary.count) } ?? "n/a"
            })
        }
        return html + "</table>\n"
    }

    // MARK: Curves

    /// The curves of each method (curves/<method>.png), embedded.
    private static func curves(_ pictures: [(method: String, png: [UInt8])]) -> String {
        guard !pictures.isEmpty else { return "" }
        var html = "<h2>Training curves</h2>\n<p>One line per job (fold, seed): the training loss against the job's optimiser step "
        html += "(a moving mean, log scale; dotted lines where a phase starts, as Ours' stages) and, for jobs that held out training cases "
        html += "(<code>training.validation_cases</code>), the Dice of the held-out cases' central slices after every epoch. "
        html += "The same pictures are in <code>curves/</code>.</p>\n"
        for (method, png) in pictures {
            let label = MethodCatalogue.info(method).label
            html += "<h3>\(escape(label))</h3>\n<img alt=\"\(escape(label)) training curves\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\" />\n"
        }
        return html
    }

    // MARK: Failures and timing

    private static func failures(_ run: RunDirectory) -> String {
        var html = "<h2>Failures</h2>\n"
        let failed = run.jobs.compactMap { entry -> (String, [String])? in
            if case .failed(let reasons, _) = entry.state { return (entry.job.id, reasons) }
            return nil
        }
        let missing = run.jobs.filter { $0.state == .missing }.map(\.job.id)
        if failed.isEmpty && missing.isEmpty { return html + "<p>None: every job completed.</p>\n" }
        html += "<ul>\n"
        for (id, reasons) in failed { html += "<li class=\"failed\">\(escape(id)) FAILED: \(escape(reasons.isEmpty ? "no reason recorded" : reasons.joined(separator: "; ")))</li>\n" }
        for id in missing { html += "<li>\(escape(id)): missing (not finished yet, or lost)</li>\n" }
        return html + "</ul>\n"
    }

    private static func timings(_ run: RunDirectory) -> String {
        var html = "<h2>Timing</h2>\n<table>\n" + row(["Job", "Status", "Wall time", "Steps", "Steps/s", "Worker"], header: true)
        for entry in run.jobs {
            let (status, metrics) = TableDocuments.statusAndMetrics(entry)
            let timing = metrics?.timing ?? JobTiming()
            html += row([entry.job.id, status, Format.duration(timing.wallSeconds), timing.steps.map(String.init) ?? "n/a",
                         Format.fixed(timing.stepsPerSecond, 2), timing.worker ?? "n/a"])
        }
        return html + "</table>\n"
    }
}
