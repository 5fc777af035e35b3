/// Receives results as jobs finish, so that a partial run already has its table. The
/// coordinator calls a sink on its own thread, after the result is durable in the journal.
public protocol ResultSink: Sendable {
    /// Called once at start with the results already in the journal (empty on a fresh run).
    func begin(completed: [CompletedJob]) throws
    /// Called for each job that finishes.
    func add(_ result: CompletedJob) throws
    /// Called when the run ends (every job done or failed) with all results.
    func finish(completed: [CompletedJob], failed: [JobStatus]) throws
    /// Called at start when the journal has jobs that failed for good, and again each time
    /// another job fails for good, with every such job so far.
    func failed(_ jobs: [FailedJob]) throws
}

extension ResultSink {
    public func failed(_ jobs: [FailedJob]) throws {}
}
