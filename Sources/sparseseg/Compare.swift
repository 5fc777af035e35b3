import ArgumentParser
import AtomicFiles
import Foundation
import Reports

/// `sparseseg compare RUN_A RUN_B`: per method, the paired differences of two runs' test cases.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two run directories case by case: per method, B - A with a Wilcoxon signed-rank test.",
        discussion: """
            Pairs each test case that both runs scored (averaged over each run's seeds) for every \
            method both ran, and prints per metric the means, the mean difference B - A and the \
            two-sided Wilcoxon signed-rank p-value. The runs must test the same cases in the same folds.
            """)

    @Argument(help: "The first run directory (A).")
    var runA: String

    @Argument(help: "The second run directory (B).")
    var runB: String

    @Flag(help: "Print the summary as JSON instead of tables.")
    var json = false

    @Option(help: "Also write one row per method, case and metric (a, b, difference) to this CSV file.")
    var csv: String?

    func run() throws {
        let comparison = try RunComparison.compare(URL(fileURLWithPath: runA), URL(fileURLWithPath: runB))
        if let csv { try AtomicFile.write(Data(comparison.csv.utf8), to: URL(fileURLWithPath: csv)) }
        if json {
            print(String(decoding: try comparison.json(), as: UTF8.self))
        } else {
            print(comparison.text, terminator: "")
        }
    }
}
