import ArgumentParser
import Foundation
import Logging
import Runner

/// `sparseseg run JOBS [--workers N]`: a coordinator and N worker processes on this machine,
/// with a live view.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a jobs file on this machine: a coordinator and N worker processes, with a live view.")

    @Argument(help: "The experiment file (YAML) or a jobs file (JSON), as for `sparseseg coordinator`.")
    var jobs: String

    @Option(help: "Worker processes to start (default: the experiment's runner.workers, else 2).")
    var workers: Int?

    @Option(help: "Threads per worker (default: the experiment's runner.threads_per_worker, else 1).")
    var threads: Int?

    @Option(help: "The run directory (default: runs/<jobs file name>).")
    var out: String?

    @OptionGroup var timing: CoordinatorTimingOptions

    @Option(help: "Log level of the coordinator (its log goes to RUN_DIR/logs/coordinator.log): trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws { _ = try LoggingOptions.level(logLevel) }

    func run() async throws {
        let runDirectory = URL(fileURLWithPath: out ?? RunInputs.defaultRunDirectory(for: jobs))
        let logDirectory = runDirectory.appendingPathComponent("logs")
        let existed = FileManager.default.fileExists(atPath: runDirectory.path)
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let logger = try fileLogger(logDirectory.appendingPathComponent("coordinator.log"))
        let inputs: RunInputs
        do {
            inputs = try RunInputs.load(jobs, runDirectory: runDirectory, logger: logger)
        } catch {
            // A bad experiment or jobs file leaves no run directory behind (one that was
            // there before, a run being resumed, is kept).
            if !existed { try? FileManager.default.removeItem(at: runDirectory) }
            throw error
        }
        let experiment = inputs.experimentRun
        let runner = experiment?.runner ?? .defaults
        let workers = workers ?? runner.workers
        let threads = threads ?? runner.threadsPerWorker
        guard workers > 0, threads > 0 else { throw ValidationError("--workers and --threads must be positive") }

        var settings = try timing.configuration(endpoint: "tcp://127.0.0.1:*", runDirectory: runDirectory, experiment: experiment)
        inputs.configure(&settings)
        let view = LiveView(terminal: isatty(STDOUT_FILENO) == 1, runDirectory: runDirectory.path)
        let coordinator = try Coordinator(configuration: settings, jobs: inputs.jobs, sinks: inputs.sinks, logger: logger,
                                          onEvent: { view.event($0) })
        let signals = SignalHandlers { coordinator.stop() }
        async let summary = coordinator.run()
        guard let endpoint = coordinator.boundEndpoint() else { return _ = try await summary }
        let local = try LocalWorkers(
            executable: RunCommand.executable, count: workers, endpoint: endpoint,
            arguments: ["--threads", "\(threads)", "--heartbeat-ms", "\(timing.heartbeatMilliseconds(experiment))", "--give-up-after", "30"],
            logDirectory: logDirectory)
        // A worker that dies (a crash, the out-of-memory killer) is replaced, so that a run
        // never waits for workers it no longer has; its job was requeued when its connection
        // dropped. The limit keeps a worker that dies at once from being restarted forever.
        let replacements = workers * settings.maxAttempts
        let refresher = Task {
            while !Task.isCancelled {
                for event in local.supervise(coordinator, limit: replacements) {
                    switch event {
                    case .replaced(let index, let restarts, let limit):
                        view.note("worker \(index) exited; started a new one (\(restarts) of at most \(limit))")
                    case .exhausted(let limit):
                        view.note("every worker has exited and \(limit) replacements are used up: stopping (see \(logDirectory.path)/worker-*.log)")
                        coordinator.stop()
                        return
                    }
                }
                view.draw(coordinator.status())
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let result: RunSummary
        do { result = try await summary } catch {
            refresher.cancel()
            local.stop()
            throw error
        }
        refresher.cancel()
        view.draw(coordinator.status(), final: true)
        local.stop(grace: .seconds(5))
        withExtendedLifetime(signals) {}
        if result.finished {
            print("run finished: \(result.done) done, \(result.failed.count) failed")
        } else {
            let by = signals.received.map { " by \(SignalHandlers.name($0))" } ?? ""
            print("stopped\(by): \(result.done) done so far (kept in the journal); run the same command again to resume")
        }
        print("results: \(runDirectory.appendingPathComponent("results.jsonl").path)")
        if experiment != nil { RunCommand.printTable(runDirectory) }
        // A run that did not finish is not a success, whatever stopped it.
        if !result.finished { throw signals.exitCode ?? ExitCode.failure }
        if !result.failed.isEmpty { throw ExitCode(2) }
    }

    /// Prints the results table of RUN_DIR/table.md (its first Markdown table) and where the
    /// whole report is.
    static func printTable(_ runDirectory: URL) {
        let file = runDirectory.appendingPathComponent("table.md")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return }
        let table = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        print("")
        for line in table { print(line) }
        print("\nreport: \(file.path) (and table.csv, cases.csv, figure.png beside it)")
        fflush(nil)
    }

    /// This executable, to start workers from.
    static var executable: URL {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if FileManager.default.fileExists(atPath: proc.path) { return proc.resolvingSymlinksInPath() }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    private func fileLogger(_ url: URL) throws -> Logger {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw ValidationError("cannot create \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        var logger = Logger(label: "coordinator") { _ in FileLogHandler(handle: handle) }
        logger.logLevel = try LoggingOptions.level(logLevel)
        return logger
    }
}
