import Foundation
import Jobs
import Logging

/// Runs jobs of some methods on a worker, which takes the first of its executors that handles
/// a job's method and fails a job that none handles. Pipeline provides the training executor,
/// ``BenchmarkJobExecutor`` the runner benchmark's no-op job, ``TestJobExecutor`` the runner's
/// test jobs.
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

/// The runner's own jobs, for tests (methods "test.*"):
/// - `test.noop`: returns at once, touching no file;
/// - `test.echo`: returns its settings as the single row;
/// - `test.sleep`: sleeps `settings.seconds`, reporting progress;
/// - `test.fail`: throws `settings.message`;
/// - `test.crash`: kills its worker process with SIGKILL, as a segfaulting job would;
/// - `test.spin`: keeps a core busy for `settings.seconds` without reporting or checking for
///   cancellation, like a training step that never yields;
/// - `test.checkpoint`: `settings.epochs` epochs of `settings.epochSeconds` each, writing
///   checkpoint.json after each and resuming from it; its row says where it resumed.
///
/// Every job but noop appends "attempt pid" to completions.log in its directory when it
/// completes, so tests can count completions across workers and attempts.
public struct TestJobExecutor: JobExecutor {
    /// The executor.
    public init() {}

    public func handles(method: String) -> Bool { method.hasPrefix("test.") }

    public func run(_ job: JobSpec, context: JobContext) throws -> JobOutput {
        let output: JobOutput
        switch job.method {
        case "test.noop":
            return JobOutput(rows: [["case": "noop"]])
        case "test.echo":
            output = JobOutput(rows: [job.settings])
        case "test.sleep":
            let seconds = job.settings["seconds"]?.doubleValue ?? 0.1
            try sleep(seconds, context: context) { fraction in
                JobProgress(fraction: fraction, etaSeconds: seconds * (1 - fraction))
            }
            output = JobOutput(rows: [["case": "sleep", "seconds": .number(seconds)]])
        case "test.spin":
            let seconds = job.settings["seconds"]?.doubleValue ?? 0.5
            let end = Date().addingTimeInterval(seconds)
            var spins = 0
            while Date() < end { spins &+= 1 }
            output = JobOutput(rows: [["case": "spin", "spins": .number(Double(spins))]])
        case "test.fail":
            throw JobError(job.settings["message"]?.stringValue ?? "test.fail failed as asked")
        case "test.crash":
            kill(getpid(), SIGKILL)
            throw JobError("unreachable: SIGKILL did not stop the process")
        case "test.checkpoint":
            output = try checkpointed(job, context: context)
        default:
            throw JobError("no test job named \(job.method)")
        }
        try appendLine("\(context.attempt) \(getpid())\n", to: context.directory.appendingPathComponent("completions.log"))
        return output
    }

    private func checkpointed(_ job: JobSpec, context: JobContext) throws -> JobOutput {
        let epochs = job.settings["epochs"]?.intValue ?? 3, epochSeconds = job.settings["epochSeconds"]?.doubleValue ?? 0.1
        let checkpoint = context.directory.appendingPathComponent("checkpoint.json")
        var start = 0
        if let data = try? Data(contentsOf: checkpoint), case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: data),
            let epoch = members["epoch"]?.intValue
        {
            start = epoch
            context.logger.info("resuming \(job.id) from its epoch \(start) checkpoint")
        }
        for epoch in start..<max(start, epochs) {
            try sleep(epochSeconds, context: context) { fraction in
                let done = Double(epoch) + fraction
                return JobProgress(epoch: epoch + 1, epochs: epochs, loss: 1 / (done + 1), fraction: done / Double(epochs),
                                   etaSeconds: (Double(epochs) - done) * epochSeconds)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            try writeAtomically(try encoder.encode(["epoch": JSONValue.number(Double(epoch + 1))]), to: checkpoint)
        }
        return JobOutput(rows: [["case": "checkpoint", "resumedFromEpoch": .number(Double(start)), "epochs": .number(Double(epochs))]],
                         artefacts: ["checkpoint.json"])
    }

    /// Sleeps in short slices so that cancellation is noticed within 10 ms.
    private func sleep(_ seconds: Double, context: JobContext, progress: (Double) -> JobProgress) throws {
        let start = Date()
        while true {
            try context.checkCancellation()
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds { break }
            context.report(progress(elapsed / seconds))
            Thread.sleep(forTimeInterval: min(0.01, seconds - elapsed))
        }
    }

    private func appendLine(_ line: String, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JobError("\(url.path): cannot open") }
        defer { close(fd) }
        try writeAll(fd, Data(line.utf8), path: url.path)
        fsync(fd)
    }
}
