import Foundation

/// One job of the run with what is known about it.
public struct JobEntry: Sendable, Equatable {
    /// Where one expected job stands, as far as the run directory tells.
    public enum State: Sendable, Equatable {
        /// metrics.json says completed.
        case completed(JobMetrics)
        /// metrics.json says failed, or the runner recorded a final failure.
        case failed(reasons: [String], metrics: JobMetrics?)
        /// No result and no failure record yet.
        case missing
    }

    /// Which job: id, method, fold, seed.
    public var job: ExpectedJob
    /// Completed, failed or missing.
    public var state: State
    /// Whether jobs.json lists this job (false: found on disk only).
    public var expected: Bool
    /// The job's directory inside the run directory.
    public var directory: URL

    /// The metrics of a completed job.
    public var metrics: JobMetrics? {
        if case .completed(let metrics) = state { return metrics }
        return nil
    }
}
