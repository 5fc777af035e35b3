import Foundation

/// What `Report.generate` found and wrote.
public struct ReportOutcome: Sendable {
    /// The files written, in the run directory.
    public let written: [URL]
    /// Jobs that completed, out of all jobs the run knows about.
    public let completedJobs: Int
    /// Jobs the run knows about (expected or found).
    public let totalJobs: Int
    /// Failed jobs with their reasons, and missing jobs, as sentences.
    public let problems: [String]
    /// Other things a reader must know (missing files, unscored cases, unlisted jobs).
    public let notes: [String]

    /// Whether every expected job completed.
    public var isComplete: Bool { completedJobs == totalJobs }
}
