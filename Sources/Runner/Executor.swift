import Foundation
import Jobs
import Logging

/// Runs jobs of some methods on a worker, which takes the first of its executors that handles
/// a job's method and fails a job that none handles. Pipeline provides the training executor,
/// ``BenchmarkJobExecutor`` the runner benchmark's no-op job; the runner's test jobs
/// (`test.*`) are an executor of the tests, registered only in their `sparseseg-testing`.
public protocol JobExecutor: Sendable {
    /// Whether this executor runs jobs of `method`.
    func handles(method: String) -> Bool
    /// Runs `job` in `context.directory` (which persists across attempts when the run
    /// directory is shared, so checkpoints written there let a retry resume), reporting
    /// progress to `context` and checking ``JobContext/isCancelled`` between steps. Runs on a
    /// thread of its own; heartbeats go on meanwhile from the worker's I/O thread.
    func run(_ job: JobSpec, context: JobContext) throws -> JobOutput
}

/// Thrown by ``JobContext/checkCancellation()`` once the job is cancelled.
public struct JobCancelled: Error, CustomStringConvertible, Sendable {
    public var description: String { "job cancelled" }
}

/// What a running job sees of its worker: its directories, attempt and threads, a progress
/// sink and a cancellation flag. Safe to use from any thread.
public final class JobContext: @unchecked Sendable {
    /// The run directory as this machine sees it (a worker's mount may differ from the
    /// coordinator's path).
    public let runDirectory: URL
    /// The job's directory, `runDirectory/jobs/<job id>`, created before the job starts.
    public let directory: URL
    /// The attempt number, from 1.
    public let attempt: Int
    /// Threads the job may use.
    public let threads: Int
    /// A logger labelled with the job.
    public let logger: Logger
    private let lock = NSLock()
    private var latest: JobProgress?
    private var cancelled = false

    /// A context; the worker makes one per job.
    public init(runDirectory: URL, directory: URL, attempt: Int, threads: Int, logger: Logger) {
        self.runDirectory = runDirectory
        self.directory = directory
        self.attempt = attempt
        self.threads = threads
        self.logger = logger
    }

    /// Records the job's progress; the next heartbeat carries it.
    public func report(_ progress: JobProgress) { lock.withLock { latest = progress } }

    /// The latest progress reported.
    public var progress: JobProgress? { lock.withLock { latest } }

    /// Whether the worker wants the job to stop.
    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Throws ``JobCancelled`` if the job was cancelled.
    public func checkCancellation() throws {
        if isCancelled { throw JobCancelled() }
    }

    func cancel() { lock.withLock { cancelled = true } }
}
