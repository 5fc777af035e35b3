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
