import ArgumentParser
import Foundation
import Runner

/// `sparseseg worker --connect ENDPOINT`: runs jobs for a coordinator.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs for a coordinator, reconnecting with backoff when it goes away; SIGTERM hands the current job back.")

    @Option(help: "The coordinator's endpoint, for example tcp://head-node:5555.")
    var connect: String

    @Option(help: "Threads each job may use.")
    var threads = 1

    @OptionGroup var keys: ClientKeyOptions

    @Option(help: "The run directory as mounted here (default: the coordinator's path when it exists here).")
    var runDir: String?

    @Option(help: "Heartbeat interval in milliseconds until the coordinator sets it.")
    var heartbeatMs = 1000

    @Option(help: "Longest wait between reconnection attempts, in milliseconds.")
    var maxBackoffMs = 32_000

    @Option(help: "Give up after this many seconds without a coordinator (0: never).")
    var giveUpAfter = 3600

    @OptionGroup var logging: LoggingOptions

    /// The job executors of this executable, bound by ``SparseSeg/main(executors:)`` for the
    /// command it runs. A task-local rather than a global: each executable binds its own list
    /// once, and nothing can change it under a running worker.
    @TaskLocal static var executors: [any JobExecutor] = []

    func run() async throws {
        guard threads > 0, heartbeatMs > 0, maxBackoffMs > 0, giveUpAfter >= 0 else {
            throw ValidationError("--threads, --heartbeat-ms and --max-backoff-ms must be positive")
        }
        var settings = WorkerConfiguration(endpoint: connect)
        settings.threads = threads
        settings.security = try keys.security()
        settings.runDirectory = runDir.map { URL(fileURLWithPath: $0) }
        settings.heartbeatInterval = .milliseconds(heartbeatMs)
        settings.maximumBackoff = .milliseconds(maxBackoffMs)
        settings.giveUpAfter = giveUpAfter == 0 ? nil : .seconds(giveUpAfter)
        let worker = try Worker(configuration: settings, executors: WorkerCommand.executors, logger: logging.logger("worker"))
        let signals = SignalHandlers { worker.stop() }
        let exit = try await worker.run()
        withExtendedLifetime(signals) {}
        if exit == .gaveUp { throw ExitCode(3) }
    }
}
