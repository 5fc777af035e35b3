import ArgumentParser
import Experiments
import Foundation
import Pipeline
import Runner

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
