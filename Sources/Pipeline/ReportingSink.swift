import Foundation
import Logging
import Reports
import Runner

/// Keeps a run's report current: after each finished job its result files are placed in the
/// run directory (when the worker could not write there itself) and the report is made
/// again, so a partial run already has its table.
public final class ReportingSink: ResultSink, @unchecked Sendable {
    private let runDirectory: URL
    private let logger: Logger
    private let lock = NSLock()

    /// A sink for the run in `runDirectory`.
    public init(runDirectory: URL, logger: Logger) {
        self.runDirectory = runDirectory
        self.logger = logger
    }

    public func begin(completed: [CompletedJob]) throws {
        for result in completed { try place(result) }
        if !completed.isEmpty { report() }
    }

    public func add(_ result: CompletedJob) throws {
        try place(result)
        report()
    }

    public func finish(completed: [CompletedJob], failed: [Runner.JobStatus]) throws {
        report()
    }

    /// A job failed for good: the table names it FAILED, with its reasons, at once.
    public func failed(_ jobs: [FailedJob]) throws {
        report()
    }

    private func place(_ result: CompletedJob) throws {
        try ResultFiles.write(result.rows, into: runDirectory.appendingPathComponent("jobs").appendingPathComponent(result.job))
    }

    /// A report that cannot be made (a malformed file) is logged, not fatal: the run goes on
    /// and `sparseseg report` says what is wrong.
    private func report() {
        lock.withLock {
            do {
                let outcome = try Report.generate(runDirectory: runDirectory)
                logger.info("report: \(outcome.completedJobs)/\(outcome.totalJobs) jobs in \(runDirectory.appendingPathComponent("table.md").path)")
            } catch {
                logger.error("report failed: \(error)")
            }
        }
    }
}
