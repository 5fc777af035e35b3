import Foundation

/// The outcome of a job, handed from the job thread to the I/O thread.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<JobOutput, any Error>?
    func set(_ outcome: Result<JobOutput, any Error>) { lock.withLock { value = outcome } }
    var outcome: Result<JobOutput, any Error>? { lock.withLock { value } }
}
