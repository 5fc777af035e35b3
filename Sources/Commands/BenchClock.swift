import Foundation
import Runner

/// Timestamps of the coordinator's events, collected on its thread.
final class BenchClock: @unchecked Sendable {
    private let lock = NSLock()
    private let workers: Int
    private var joined = 0
    private var allJoinedAt: ContinuousClock.Instant?
    private var lastFinish: ContinuousClock.Instant?
    private var finishedAfterJoin = 0
    private var assignedAt: [String: ContinuousClock.Instant] = [:]
    private var roundTrips: [Duration] = []

    init(workers: Int) { self.workers = workers }

    func record(_ event: CoordinatorEvent) {
        let now = ContinuousClock.now
        lock.withLock {
            switch event {
            case .workerJoined:
                joined += 1
                if joined == workers { allJoinedAt = now }
            case .assigned(let claim, _):
                assignedAt[claim.job] = now
            case .finished(let result):
                if let start = assignedAt.removeValue(forKey: result.job) { roundTrips.append(now - start) }
                if allJoinedAt != nil {
                    finishedAfterJoin += 1
                    lastFinish = now
                }
            default:
                break
            }
        }
    }

    func measurement() -> BenchRunner.Measurement {
        lock.withLock {
            let seconds = (allJoinedAt.flatMap { start in lastFinish.map { $0 - start } } ?? .zero) / .seconds(1)
            let sorted = roundTrips.sorted()
            let median = sorted.isEmpty ? .zero : sorted[sorted.count / 2]
            return .init(jobsPerSecond: seconds > 0 ? Double(finishedAfterJoin) / seconds : 0, roundTripMilliseconds: median / .milliseconds(1))
        }
    }
}
