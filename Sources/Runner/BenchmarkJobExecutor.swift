import Jobs

/// The runner benchmark's job (`sparseseg bench runner`): `bench.noop` returns one row at
/// once and touches no file, so that what is measured is the runner alone (assignment,
/// heartbeats, result, journal commit). Registered in every worker, since the benchmark runs
/// the shipped binary; the runner's test jobs (`test.*`) are not: they live with the tests.
public struct BenchmarkJobExecutor: JobExecutor {
    /// The method of the benchmark's no-op job.
    public static let noop = "bench.noop"

    /// The executor.
    public init() {}

    public func handles(method: String) -> Bool { method == Self.noop }

    public func run(_ job: JobSpec, context: JobContext) throws -> JobOutput {
        JobOutput(rows: [["case": "noop"]])
    }
}
