import ArgumentParser
import Dispatch
import Experiments
import Foundation
import Logging
import Pipeline
import Runner

/// `sparseseg coordinator JOBS --bind ENDPOINT --out RUN_DIR`: serves the jobs to workers.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Hand a run's jobs to workers over ZeroMQ, journaling every state change in the run directory.",
        discussion: """
            INPUT is an experiment file (YAML; see experiments/) or a JSON jobs file of the runner's test \
            jobs: {"jobs": [{"id", "method", "fold", "seed", "settings", "expectedCost"}]}. \
            Started again on the same run directory, the coordinator resumes: finished jobs are not rerun; \
            while one runs on a run directory, a second is refused. \
            CURVE keys (--keys) are required unless the endpoint is loopback.
            """)

    @Argument(help: "The experiment file (YAML) or a jobs file (JSON).")
    var jobs: String

    @Option(help: "Endpoint to bind, for example tcp://0.0.0.0:5555.")
    var bind: String

    @Option(help: "The run directory (journal.jsonl, results.jsonl, jobs/).")
    var out: String

    @OptionGroup var keys: CoordinatorKeyOptions
    @OptionGroup var timing: CoordinatorTimingOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.logger("coordinator")
        let inputs = try RunInputs.load(jobs, runDirectory: URL(fileURLWithPath: out), logger: logger)
        let specs = inputs.jobs
        var settings = try timing.configuration(endpoint: bind, runDirectory: URL(fileURLWithPath: out), experiment: inputs.experimentRun)
        inputs.configure(&settings)
        settings.security = try keys.security(for: bind)
        settings.allowPlaintextOnNetwork = keys.insecure
        let coordinator = try Coordinator(configuration: settings, jobs: specs, sinks: inputs.sinks, logger: logger)
        let signals = SignalHandlers { coordinator.stop() }
        let summary = try await coordinator.run()
        withExtendedLifetime(signals) {}
        if summary.finished {
            print("run finished: \(summary.done) done, \(summary.failed.count) failed")
        } else {
            let by = signals.received.map { " by \(SignalHandlers.name($0))" } ?? ""
            print("stopped\(by): \(summary.done) done so far (kept in the journal); start the coordinator again on \(out) to resume")
        }
        for job in summary.failed { print(StatusText.line(job)) }
        if !summary.finished, let code = signals.exitCode { throw code }
        if !summary.failed.isEmpty { throw ExitCode(2) }
    }
}

/// The coordinator's key options.
struct CoordinatorKeyOptions: ParsableArguments {
    @Option(help: "Key directory with coordinator.key and authorized_keys (from `sparseseg keys generate`); turns CURVE on.")
    var keys: String?

    @Option(help: "The authorised-keys file (default: KEYS/authorized_keys).")
    var authorizedKeys: String?

    @Flag(help: "Allow plaintext on a non-loopback endpoint (anyone who can reach it can take and forge jobs).")
    var insecure = false

    func security(for endpoint: String) throws -> TransportSecurity {
        guard let keys else {
            if !Endpoint.isLoopback(endpoint) && !insecure {
                throw ValidationError("\(endpoint) is reachable from other machines: give --keys DIR (see `sparseseg keys generate`) or --insecure")
            }
            return .plaintext
        }
        let directory = URL(fileURLWithPath: keys)
        let pair = try KeyFiles.loadKeyPair(directory.appendingPathComponent("coordinator.key"))
        let authorized = try AuthorizedKeys.load(authorizedKeys.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent(KeyFiles.authorizedKeysName))
        return .curve(server: pair, authorized: authorized)
    }
}

/// Heartbeat and retry settings of the coordinator. An option left out takes the experiment's
/// `runner:` value (heartbeat_seconds, lost_after_heartbeats, max_attempts), else its default.
struct CoordinatorTimingOptions: ParsableArguments {
    @Option(help: "Heartbeat interval in milliseconds (default: the experiment's runner.heartbeat_seconds, else \(RunnerSettings.defaults.heartbeatMilliseconds)).")
    var heartbeatMs: Int?

    @Option(help: "Heartbeat intervals of silence after which a worker is lost (default: runner.lost_after_heartbeats, else \(RunnerSettings.lostAfterHeartbeats.defaultValue)).")
    var liveness: Int?

    @Option(help: "Failed attempts after which a job is given up (default: runner.max_attempts, else \(RunnerSettings.maxAttempts.defaultValue)).")
    var maxAttempts: Int?

    @Option(help: "After a restart, milliseconds a running job waits for its worker to reclaim it.")
    var reclaimGraceMs = 5000

    @Option(help: "A directory job settings may name besides the run directory (the dataset); repeatable.")
    var dataset: [String] = []

    /// The heartbeat interval in milliseconds: the flag's, the experiment's or the default.
    func heartbeatMilliseconds(_ experiment: ExperimentRun?) -> Int {
        heartbeatMs ?? (experiment?.runner ?? .defaults).heartbeatMilliseconds
    }

    /// A coordinator's configuration: these options over the experiment's `runner:` section
    /// (its defaults without an experiment).
    func configuration(endpoint: String, runDirectory: URL, experiment: ExperimentRun?) throws -> CoordinatorConfiguration {
        let runner = experiment?.runner ?? .defaults
        let heartbeat = heartbeatMilliseconds(experiment)
        let liveness = liveness ?? runner.lostAfterHeartbeats
        let maxAttempts = maxAttempts ?? runner.maxAttempts
        guard heartbeat > 0, liveness > 0, maxAttempts > 0, reclaimGraceMs >= 0 else {
            throw ValidationError("--heartbeat-ms, --liveness and --max-attempts must be positive")
        }
        var settings = CoordinatorConfiguration(endpoint: endpoint, runDirectory: runDirectory, heartbeatInterval: .milliseconds(heartbeat),
                                                liveness: liveness, maxAttempts: maxAttempts)
        settings.reclaimGrace = .milliseconds(reclaimGraceMs)
        settings.allowedPathRoots = dataset
        return settings
    }
}


/// The log level option shared by the runner's commands; logs go to standard error.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    /// The level `--log-level` names: one of swift-log's, else a usage error naming the flag
    /// and the accepted values (a typo must not silently log at another level).
    static func level(_ name: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: name) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); given '\(name)'")
        }
        return level
    }

    func validate() throws { _ = try Self.level(logLevel) }

    func logger(_ label: String) -> Logger {
        _ = bootstrapLogging
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

/// Logging is bootstrapped once per process, on first use.
private let bootstrapLogging: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)

/// Calls `action` on SIGINT or SIGTERM (instead of dying) for as long as it is kept alive,
/// and remembers the first such signal.
/// Unchecked: the dispatch sources are only created and cancelled, both thread-safe.
final class SignalHandlers: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let first = FirstSignal()

    init(_ action: @escaping @Sendable () -> Void) {
        let first = self.first
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                first.record(number)
                action()
            }
            source.resume()
            return source
        }
    }

    deinit { for source in sources { source.cancel() } }

    /// The first signal received, or nil.
    var received: Int32? { first.value }

    /// The exit status of a command stopped by the signal received: 128 + its number, as a
    /// shell reports a process the signal killed (130 for SIGINT, 143 for SIGTERM), so that a
    /// script sees the command did not finish. Nil when no signal came.
    var exitCode: ExitCode? { received.map { ExitCode(128 + $0) } }

    /// "SIGINT" or "SIGTERM".
    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }
}

/// The first signal a ``SignalHandlers`` received.
private final class FirstSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var number: Int32?

    func record(_ signal: Int32) { lock.withLock { if number == nil { number = signal } } }

    var value: Int32? { lock.withLock { number } }
}
