import ArgumentParser
import Foundation
import Reports

/// `sparseseg report RUN_DIR`: the tables and the figure of a run, finished or partial.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write Table 1, per-case rows, Wilcoxon tests, timing and Figure 2 of a run directory.",
        discussion: """
            Reads RUN_DIR as docs/run-directory.md describes it and writes table.md, table.csv, \
            cases.csv, timing.csv and figure.png into it (each atomically). A partial run is \
            reported with its failed and missing jobs named; a malformed file is an error. \
            Dice and IoU are percentages in table.md and table.csv (dice_pct_mean) and fractions in \
            cases.csv (dice_fraction); distances are in mm (assd_mm).
            """)

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "Number of test cases shown in figure.png.")
    var figureCases = Report.defaultFigureCases

    func validate() throws {
        guard figureCases >= 1 else { throw ValidationError("--figure-cases must be at least 1, given \(figureCases)") }
    }

    func run() throws {
        let outcome = try Report.generate(runDirectory: URL(fileURLWithPath: runDirectory), figureCases: figureCases)
        for url in outcome.written { print("wrote \(url.path)") }
        print(outcome.isComplete
              ? (outcome.totalJobs == 1 ? "the 1 job completed" : "all \(outcome.totalJobs) jobs completed")
              : "partial run: \(outcome.completedJobs) of \(outcome.totalJobs) jobs completed")
        for problem in outcome.problems { print("  \(problem)") }
        for note in outcome.notes { print("note: \(note)") }
    }
}
