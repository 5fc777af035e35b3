/// How a run ended.
public struct RunSummary: Sendable, Hashable {
    /// Whether every job is done or failed (false: the coordinator was stopped first).
    public var finished: Bool
    /// Jobs done.
    public var done: Int
    /// Jobs given up after their attempts, with the reasons.
    public var failed: [JobStatus]
}
