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

            With --pair A_METHOD:B_METHOD (repeatable), method A_METHOD of the first run is paired \
            with B_METHOD of the second instead of each method with its namesake; give one run \
            directory twice to compare two methods of one run, e.g. a method and its ablation: \
            `sparseseg compare runs/standard runs/standard --pair mt:mt-separate-bn`.
            """)

    @Argument(help: "The first run directory (A).")
    var runA: String

    @Argument(help: "The second run directory (B).")
    var runB: String

    @Option(name: .customLong("pair"), help: ArgumentHelp("Compare method A_METHOD of the first run with B_METHOD of the second (repeatable).", valueName: "A_METHOD:B_METHOD"))
    var pairs: [String] = []

    @Flag(help: "Print the summary as JSON instead of tables.")
    var json = false

    @Option(help: "Also write one row per method, case and metric (a, b, difference) to this CSV file.")
    var csv: String?

    func run() throws {
        let methodPairs = try pairs.map { text -> (a: String, b: String) in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--pair \(text): expected A_METHOD:B_METHOD, such as mt:mt-separate-bn")
            }
            return (String(parts[0]), String(parts[1]))
        }
        let comparison = try RunComparison.compare(URL(fileURLWithPath: runA), URL(fileURLWithPath: runB), pairs: methodPairs)
        if let csv { try AtomicFile.write(Data(comparison.csv.utf8), to: URL(fileURLWithPath: csv)) }
        if json {
            print(String(decoding: try comparison.json(), as: UTF8.self))
        } else {
            print(comparison.text, terminator: "")
        }
    }
}
