import ArgumentParser

/// `sparseseg bench ...`: benchmarks. Each prints its numbers together with a reference
/// measured in the same run (for example a plain sgemm), so that results are also ratios that
/// noise on a shared machine does not move.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks of the training core, the metrics and the runner.",
        subcommands: [
            BenchCore.self,
            BenchMetrics.self,
            BenchData.self,
            BenchRunner.self,
        ]
    )
}
