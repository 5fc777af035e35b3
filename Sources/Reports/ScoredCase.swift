/// A case scored by a job: its fold, the job's seed and its scores.
public struct ScoredCase: Sendable, Equatable {
    /// The fold whose job scored the case.
    public let fold: Int
    /// The seed of the job; nil for a case pooled over seeds.
    public let seed: Int?
    /// The case id and its metrics.
    public let scores: CaseScores

    /// A scored case from its parts.
    public init(fold: Int, seed: Int?, scores: CaseScores) {
        self.fold = fold
        self.seed = seed
        self.scores = scores
    }

    /// Identifies the case across methods and seeds: the same fold and case id.
    public var key: String { "\(fold)/\(scores.caseID)" }
}
