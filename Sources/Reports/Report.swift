import AtomicFiles
import Foundation
import PNG

/// `sparseseg report RUN_DIR`: Table 1, per-case rows, Wilcoxon tests, pseudo-label quality,
/// timing and Figure 2 from a run directory (docs/run-directory.md), finished or not.
public enum Report {
    /// The number of test cases in Figure 2 unless told otherwise.
    public static let defaultFigureCases = 3

    /// Reads `runDirectory` and writes table.md, table.csv, cases.csv, timing.csv, index.html,
    /// curves/<method>.png for each method whose jobs logged losses (``TrainingCurves``) and
    /// (when any job wrote figure slices) figure.png into it. Everything is computed before anything is
    /// written, and each file is replaced atomically: on bad input nothing is written.
    @discardableResult
    public static func generate(runDirectory: URL, figureCases: Int = defaultFigureCases) throws -> ReportOutcome {
        let run = try RunDirectory.load(runDirectory)
        let summaries = MethodSummary.summarise(run)
        var pseudoLabels: [(String, PseudoLabelSummary)] = []
        for method in run.methods {
            if let summary = try PseudoLabelSummary.load(run, method: method) { pseudoLabels.append((method, summary)) }
        }
        let rows = try Figure2.loadRows(run, summaries: summaries, count: figureCases)
        var png: [UInt8]?
        var figureNote: String?
        if !rows.isEmpty {
            let (image, _) = Figure2.render(rows)
            png = try PNG.encode(width: image.width, height: image.height, colorType: .rgb, pixels: image.pixels)
            let cases = rows.map { "\($0.caseID) (fold \($0.fold), slice \($0.slice))" }.joined(separator: ", ")
            figureNote = "`figure.png`: Figure 2 for \(cases). Yellow: the reference contour; each method's contour in the colour of its column title. "
                + "Cases are spread over Ours' Dice from worst to best when Ours is shown."
        } else {
            figureNote = "No `figure.png`: no completed job wrote `figure_slices.h5`."
        }

        var curves: [(method: String, png: [UInt8])] = []
        for method in run.methods {
            let series = TrainingCurves.load(run, method: method)
            guard !series.isEmpty else { continue }
            let (image, _) = TrainingCurves.render(MethodCatalogue.info(method), series)
            curves.append((method, try PNG.encode(width: image.width, height: image.height, colorType: .rgb, pixels: image.pixels)))
        }

        let outputs: [(String, Data)] = [
            ("table.md", Data(TableDocuments.markdown(run: run, summaries: summaries, pseudoLabels: pseudoLabels, figureNote: figureNote).utf8)),
            ("table.csv", Data(TableDocuments.tableCSV(summaries).utf8)),
            ("cases.csv", Data(TableDocuments.casesCSV(summaries).utf8)),
            ("timing.csv", Data(TableDocuments.timingCSV(run).utf8)),
            ("index.html", Data(HTMLReport.page(run: run, summaries: summaries, figurePNG: png, curvePNGs: curves).utf8)),
        ] + (png.map { [("figure.png", Data($0))] } ?? []) + curves.map { ("curves/\($0.method).png", Data($0.png)) }
        var written: [URL] = []
        // A figure from an earlier report would no longer match the tables beside it.
        let staleFigure = runDirectory.appendingPathComponent("figure.png")
        if png == nil && FileManager.default.fileExists(atPath: staleFigure.path) {
            try FileManager.default.removeItem(at: staleFigure)
        }
        // Likewise the curves of a method that no longer has any.
        let curvesDirectory = runDirectory.appendingPathComponent("curves")
        let drawn = Set(curves.map { "\($0.method).png" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: curvesDirectory.path)) ?? [] where name.hasSuffix(".png") && !drawn.contains(name) {
            try FileManager.default.removeItem(at: curvesDirectory.appendingPathComponent(name))
        }
        if !curves.isEmpty { try FileManager.default.createDirectory(at: curvesDirectory, withIntermediateDirectories: true) }
        for (name, data) in outputs {
            let url = runDirectory.appendingPathComponent(name)
            try AtomicFile.write(data, to: url)
            written.append(url)
        }

        var problems: [String] = []
        for entry in run.jobs {
            switch entry.state {
            case .completed: break
            case .failed(let reasons, _):
                problems.append("job \(entry.job.id) failed: " + (reasons.isEmpty ? "no reason recorded" : reasons.joined(separator: "; ")))
            case .missing:
                problems.append("job \(entry.job.id) is missing (no metrics.json)")
            }
        }
        let completed = run.jobs.filter { $0.metrics != nil }.count
        return ReportOutcome(written: written, completedJobs: completed, totalJobs: run.jobs.count, problems: problems, notes: run.notes)
    }
}
