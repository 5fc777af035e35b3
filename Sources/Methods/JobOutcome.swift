import Foundation
import Metrics

/// What a finished job produced.
public struct JobOutcome: Sendable {
    /// One scored test case.
    public struct CaseResult: Sendable {
        public let caseID: String
        public let site: String
        public let metrics: CaseMetrics
        /// Dice on the gland slices and the volume predicted off them.
        public let diagnostics: SliceDiagnostics
    }

    public let method: String
    public let fold: Int
    /// The job's training seed.
    public let seed: Int
    public let cases: [CaseResult]
    /// Pseudo-label counts (Ours and its ablations), by set name.
    public let pseudoLabels: [String: PseudoLabelDiagnostics.Counts]?
    /// Wall time of this run of the job, seconds.
    public let wallSeconds: Double
    /// Optimiser steps of the job (every run of it).
    public let steps: Int
    /// The job's output directory.
    public let directory: URL

    /// Mean Dice over the test cases.
    public var meanDice: Double { cases.isEmpty ? .nan : cases.map(\.metrics.dice).reduce(0, +) / Double(cases.count) }
}
