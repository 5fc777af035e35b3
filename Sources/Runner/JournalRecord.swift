import Foundation
import Jobs

/// One state change of a run, as one line of RUN_DIR/journal.jsonl.
public struct JournalRecord: Sendable, Hashable, Codable {
    /// What changed.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A job joined the run (`spec`).
        case job
        /// `claim` was handed to `worker`.
        case assigned
        /// A worker that reconnected (or outlived a coordinator restart) took `claim` back.
        case adopted
        /// `claim` finished with `result`.
        case done
        /// `claim` ended without a result for `reason`; `counts` says whether it uses up one of
        /// the job's attempts (a crash or a lost worker does; a worker stopped by SIGTERM or a
        /// coordinator restart does not).
        case attemptFailed
    }

    /// The journal format version.
    public var v: Int = 1
    /// What changed.
    public var kind: Kind
    /// Seconds since 1970 when the change happened.
    public var time: Double
    /// The job, for `job` records.
    public var spec: JobSpec?
    /// The job and attempt the change concerns.
    public var claim: JobClaim?
    /// The worker (host:pid), for `assigned`, `adopted` and `done`.
    public var worker: String?
    /// The result, for `done`.
    public var result: CompletedJob?
    /// Why the attempt ended, for `attemptFailed`.
    public var reason: String?
    /// Whether the attempt counts as a failure, for `attemptFailed`; false on `adopted` when
    /// the failure counted for the attempt is withdrawn.
    public var counts: Bool?

    init(kind: Kind, spec: JobSpec? = nil, claim: JobClaim? = nil, worker: String? = nil, result: CompletedJob? = nil,
         reason: String? = nil, counts: Bool? = nil) {
        self.kind = kind
        self.time = Date().timeIntervalSince1970
        self.spec = spec
        self.claim = claim
        self.worker = worker
        self.result = result
        self.reason = reason
        self.counts = counts
    }

    /// A job joining the run.
    public static func job(_ spec: JobSpec) -> JournalRecord { .init(kind: .job, spec: spec) }
    /// A claim handed to a worker.
    public static func assigned(_ claim: JobClaim, worker: String) -> JournalRecord { .init(kind: .assigned, claim: claim, worker: worker) }
    /// A claim taken back by a reconnected worker; `forgiven` withdraws the failure counted
    /// when that worker was declared lost with it.
    public static func adopted(_ claim: JobClaim, worker: String, forgiven: Bool = false) -> JournalRecord {
        .init(kind: .adopted, claim: claim, worker: worker, counts: forgiven ? false : nil)
    }
    /// A claim finished.
    public static func done(_ result: CompletedJob) -> JournalRecord {
        .init(kind: .done, claim: JobClaim(job: result.job, attempt: result.attempt), worker: result.worker, result: result)
    }
    /// A claim ended without a result.
    public static func attemptFailed(_ claim: JobClaim, reason: String, counts: Bool) -> JournalRecord {
        .init(kind: .attemptFailed, claim: claim, reason: reason, counts: counts)
    }
}
