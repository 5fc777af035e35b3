/// Something the live view may want to print, reported as it happens.
public enum CoordinatorEvent: Sendable {
    /// The coordinator is bound and listening on this endpoint (the port filled in).
    case listening(String)
    /// A worker of this name said hello.
    case workerJoined(String)
    /// A worker is gone (its connection closed, it fell silent, or it said goodbye), and why.
    case workerLost(String, reason: String)
    /// An attempt at a job was handed to a worker.
    case assigned(JobClaim, worker: String)
    /// A job's result was accepted.
    case finished(CompletedJob)
    /// An attempt ended without a result; `jobFailed` says whether the job is given up (else it is requeued).
    case attemptFailed(JobClaim, reason: String, jobFailed: Bool)
}
