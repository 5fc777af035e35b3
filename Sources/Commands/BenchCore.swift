import ArgumentParser
import Foundation
import TrainingCore

/// `sparseseg bench core [--json]`: training-core speed against a 2048^3 sgemm in the same run.
struct BenchCore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Time U-Net and registration-net training steps and U-Net inference against a 2048^3 sgemm.",
        discussion: "Cases: \(CoreBenchmark.caseNames.joined(separator: ", ")); each at every thread count.")

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "OpenBLAS thread counts, comma-separated.")
    var threads = "1,2"

    @Option(help: "Timed steps per case (after one warm-up step); the median is reported.")
    var steps = 5

    @Option(help: "Cases to run, comma-separated.")
    var cases = CoreBenchmark.caseNames.joined(separator: ",")

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
        let parsed = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--threads must be positive integers separated by commas, got '\(threads)'")
        }
        for name in caseList where !CoreBenchmark.caseNames.contains(name) {
            throw ValidationError("--cases: unknown case '\(name)'; known: \(CoreBenchmark.caseNames.joined(separator: ", "))")
        }
    }

    private var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    private var caseList: [String] { cases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        if !json { print("OpenBLAS: \(BLAS.configuration)") }
        CoreBenchmark.run(threads: threadCounts, steps: steps, cases: caseList) { result in
            print(json ? result.json : result.line)
        }
    }
}
