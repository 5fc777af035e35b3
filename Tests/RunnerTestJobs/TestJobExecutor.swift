import AtomicFiles
import Foundation
import Jobs
import Runner

/// The runner's test jobs (methods "test.*"), run by the tests' `sparseseg-testing` and never
/// by the shipped `sparseseg`:
/// - `test.echo`: returns its settings as the single row;
/// - `test.sleep`: sleeps `settings.seconds`, reporting progress;
/// - `test.fail`: throws `settings.message`;
/// - `test.crash`: kills its worker process with SIGKILL, as a segfaulting job would;
/// - `test.spin`: keeps a core busy for `settings.seconds` without reporting or checking for
///   cancellation, like a training step that never yields;
/// - `test.checkpoint`: `settings.epochs` epochs of `settings.epochSeconds` each, writing
///   checkpoint.json after each and resuming from it; its row says where it resumed.
///
/// Every job appends "attempt pid" to completions.log in its directory when it completes, so
/// tests can count completions across workers and attempts.
public struct TestJobExecutor: JobExecutor {
    /// The executor.
    public init() {}

    public func handles(method: String) -> Bool { method.hasPrefix("test.") }

    public func run(_ job: JobSpec, context: JobContext) throws -> JobOutput {
        let output: JobOutput
        switch job.method {
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
            try AtomicFile.write(try encoder.encode(["epoch": JSONValue.number(Double(epoch + 1))]), to: checkpoint, durable: true)
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
        // One write of a short line to an O_APPEND file: whole, and never interleaved with
        // another worker's line.
        let bytes = Array(line.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw JobError("\(url.path): cannot append") }
        fsync(fd)
    }
}
