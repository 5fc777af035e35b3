/// Why a worker's ``Worker/run()`` returned.
public enum WorkerExit: Sendable, Equatable {
    /// The coordinator said the run is over.
    case shutdown(String)
    /// ``Worker/stop()`` was called (SIGTERM); the current job was handed back.
    case stopped
    /// No coordinator answered for ``WorkerConfiguration/giveUpAfter``.
    case gaveUp
}
