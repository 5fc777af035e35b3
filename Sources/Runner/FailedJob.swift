/// A job given up after its attempts: one line of RUN_DIR/failures.jsonl.
public struct FailedJob: Sendable, Hashable, Codable {
    /// The job id.
    public var job: String
    public var method: String
    public var fold: Int
    public var seed: Int
    /// Why each counted attempt failed, in order.
    public var reasons: [String]

    public init(job: String, method: String, fold: Int, seed: Int, reasons: [String]) {
        self.job = job
        self.method = method
        self.fold = fold
        self.seed = seed
        self.reasons = reasons
    }
}
