import Foundation
import Jobs

/// Settings of a coordinator.
public struct CoordinatorConfiguration: Sendable {
    /// Where to bind, for example "tcp://0.0.0.0:5555" or "tcp://127.0.0.1:*" (any free port).
    public var endpoint: String
    /// The run directory: journal.jsonl, results.jsonl and jobs/<id>/.
    public var runDirectory: URL
    /// How often heartbeats go both ways.
    public var heartbeatInterval: Duration
    /// Intervals of silence after which a worker is declared lost.
    public var liveness: Int
    /// Failed attempts after which a job is given up.
    public var maxAttempts: Int
    /// After a restart, how long a job that was running waits for its worker to reclaim it
    /// before it is requeued.
    public var reclaimGrace: Duration = .seconds(5)
    /// Encryption and authentication.
    public var security: TransportSecurity = .plaintext
    /// Allow plaintext on a non-loopback endpoint (off: such a bind is refused).
    public var allowPlaintextOnNetwork = false
    /// Directories besides the run directory that job settings may name (the dataset).
    public var allowedPathRoots: [String] = []
    /// Checks a result's content before it is journaled (the runner knows jobs, not what their
    /// rows mean): throwing refuses the result and fails that attempt with the error as the
    /// reason. The coordinator itself checks that artefact paths stay in the job's directory.
    public var checkResult: (@Sendable (JobSpec, JobOutput) throws -> Void)?

    /// Settings with the given timing and the defaults of the rest. The runner has no
    /// defaults of its own for the timing: the command line takes them from the experiment's
    /// `runner:` section, whose schema declares them.
    public init(endpoint: String, runDirectory: URL, heartbeatInterval: Duration, liveness: Int, maxAttempts: Int) {
        self.endpoint = endpoint
        self.runDirectory = runDirectory
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.maxAttempts = maxAttempts
    }
}
