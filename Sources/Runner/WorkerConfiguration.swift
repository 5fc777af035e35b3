import Foundation

/// Settings of a worker.
public struct WorkerConfiguration: Sendable {
    /// The coordinator's endpoint, for example "tcp://head-node:5555".
    public var endpoint: String
    /// Threads each job may use (also reported to the coordinator).
    public var threads = 1
    /// Heartbeat interval and liveness until the coordinator's welcome replaces them.
    public var heartbeatInterval: Duration = .seconds(1)
    /// Silent intervals after which the worker reconnects.
    public var liveness = 3
    /// Encryption and authentication.
    public var security: ClientSecurity = .plaintext
    /// The run directory as mounted on this machine; nil: use the coordinator's path if it
    /// exists here (same machine or the same NFS mount), else ``scratchDirectory``.
    public var runDirectory: URL?
    /// Where jobs run when the run directory is not reachable from this machine.
    public var scratchDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sparseseg-worker")
    /// The longest wait between reconnection attempts (the backoff doubles up to it).
    public var maximumBackoff: Duration = .seconds(32)
    /// Give up after this long without hearing from any coordinator; nil: never.
    public var giveUpAfter: Duration? = .seconds(3600)

    /// Settings with the defaults.
    public init(endpoint: String) { self.endpoint = endpoint }
}
