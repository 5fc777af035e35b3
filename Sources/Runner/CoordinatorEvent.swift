/// Something the live view may want to print, reported as it happens.
public enum CoordinatorEvent: Sendable {
    case listening(String)
    case workerJoined(String)
    case workerLost(String, reason: String)
    case assigned(JobClaim, worker: String)
    case finished(CompletedJob)
    case attemptFailed(JobClaim, reason: String, jobFailed: Bool)
}
