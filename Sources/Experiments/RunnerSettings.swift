/// The `runner:` section of an experiment file: how the coordinator treats workers and jobs.
public enum RunnerSettings {
    /// The section's schema.
    public static let schema = SettingsSchema(name: "runner", specs: [
        SettingSpec("workers", .int(1...1024), default: .int(2),
                    help: "worker processes that `sparseseg run` starts on this machine"),
        SettingSpec("threads_per_worker", .int(1...256), default: .int(1),
                    help: "OpenBLAS threads of each worker: N jobs with one thread, or one job with N"),
        SettingSpec("max_attempts", .int(1...20), default: .int(3),
                    help: "attempts of a job before it is marked failed and the run goes on"),
        SettingSpec("heartbeat_seconds", .number(0.01...60), default: .number(1),
                    help: "interval of heartbeats in both directions"),
        SettingSpec("lost_after_heartbeats", .int(2...100), default: .int(5),
                    help: "silent intervals after which a worker is declared lost and its job requeued"),
    ])
}
