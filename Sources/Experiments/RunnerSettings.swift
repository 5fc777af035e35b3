/// The `runner:` section of an experiment file: how the coordinator treats workers and jobs.
/// Its defaults are the runner's: `sparseseg run` and `sparseseg coordinator` use them when
/// neither the experiment nor a flag gives a value.
public struct RunnerSettings: Sendable, Equatable {
    public static let workers = Setting<Int>("workers", 1...1024, default: 2,
                                             help: "worker processes that `sparseseg run` starts on this machine")
    public static let threadsPerWorker = Setting<Int>("threads_per_worker", 1...256, default: 1,
                                                      help: "OpenBLAS threads of each worker: N jobs with one thread, or one job with N")
    public static let maxAttempts = Setting<Int>("max_attempts", 1...20, default: 3,
                                                 help: "attempts of a job before it is marked failed and the run goes on")
    public static let heartbeatSeconds = Setting<Double>("heartbeat_seconds", 0.01...60, default: 1,
                                                         help: "interval of heartbeats in both directions")
    public static let lostAfterHeartbeats = Setting<Int>("lost_after_heartbeats", 2...100, default: 5,
                                                         help: "silent intervals after which a worker is declared lost and its job requeued")

    /// The section's schema.
    public static let schema = SettingsSchema(name: "runner", [workers, threadsPerWorker, maxAttempts, heartbeatSeconds, lostAfterHeartbeats])

    /// Every setting at its default.
    public static let defaults = RunnerSettings(schema.defaults)

    /// The values as resolved, for the resolved experiment.
    public let resolved: ResolvedSettings
    /// Worker processes that `sparseseg run` starts on this machine.
    public var workers: Int { resolved[Self.workers] }
    /// OpenBLAS threads of each worker.
    public var threadsPerWorker: Int { resolved[Self.threadsPerWorker] }
    /// Attempts of a job before it is marked failed.
    public var maxAttempts: Int { resolved[Self.maxAttempts] }
    /// The heartbeat interval, in seconds.
    public var heartbeatSeconds: Double { resolved[Self.heartbeatSeconds] }
    /// The heartbeat interval in whole milliseconds, as the runner's flags take it.
    public var heartbeatMilliseconds: Int { Int((heartbeatSeconds * 1000).rounded()) }
    /// Silent heartbeat intervals after which a worker is lost.
    public var lostAfterHeartbeats: Int { resolved[Self.lostAfterHeartbeats] }

    /// Reads a resolved `runner:` section.
    public init(_ resolved: ResolvedSettings) {
        self.resolved = resolved
    }
}
