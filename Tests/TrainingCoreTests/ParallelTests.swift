import Foundation
import XCTest

@testable import TrainingCore

/// The worker pool behind parallelFor and the convolutions' slices.
final class ParallelTests: XCTestCase {
    /// Tallies shared by the shares of a job.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [Int]
        init(_ count: Int) { counts = [Int](repeating: 0, count: count) }
        func add(_ i: Int, _ amount: Int = 1) { lock.withLock { counts[i] += amount } }
        var values: [Int] { lock.withLock { counts } }
    }

    /// Every share runs once, share 0 on the calling thread and the others on other threads,
    /// over many jobs in a row (helpers spinning between them, or asleep after a pause).
    func testEachShareRunsOnceOnItsOwnThread() {
        for round in 0..<2000 {
            let workers = round % 3 + 2
            let counts = Tally(workers), onCaller = Tally(workers)
            let caller = Thread.current
            WorkerPool.shared.run(workers) { w in
                counts.add(w)
                if Thread.current == caller { onCaller.add(w) }
            }
            XCTAssertEqual(counts.values, [Int](repeating: 1, count: workers), "round \(round)")
            XCTAssertEqual(onCaller.values, [1] + [Int](repeating: 0, count: workers - 1), "round \(round): only share 0 on the caller")
            if round == 1000 { Thread.sleep(forTimeInterval: 0.01) }  // past the spin: helpers asleep
        }
    }

    /// A job started from inside a job runs its shares on its own thread rather than waiting
    /// for helpers that are busy.
    func testNestedJobsRunInline() {
        let total = Tally(1)
        WorkerPool.shared.run(2) { _ in
            WorkerPool.shared.run(2) { inner in total.add(0, inner + 1) }
        }
        XCTAssertEqual(total.values, [2 * (1 + 2)])
    }

    /// parallelFor visits every index once, whatever the thread count.
    func testParallelForVisitsEveryIndexOnce() {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        for threads in [1, 2, 3] {
            BLAS.threads = threads
            let seen = Tally(37)
            parallelFor(37) { i in seen.add(i) }
            XCTAssertEqual(seen.values, [Int](repeating: 1, count: 37), "\(threads) threads")
        }
    }

    /// forEachTask runs every task once, each on a worker in range, for few tasks (claimed one
    /// at a time) and many (claimed several at a time), and tasks reach every worker.
    func testForEachTaskRunsEveryTaskOnce() {
        for (count, workers) in [(1, 2), (5, 2), (16, 3), (1000, 2)] {
            let runs = Tally(count), perWorker = Tally(workers)
            let outOfRange = Tally(1)
            forEachTask(count, workers: workers) { task, worker in
                runs.add(task)
                if worker < 0 || worker >= workers { outOfRange.add(0) } else { perWorker.add(worker) }
                // With enough tasks, each worker's first task waits (up to 10 s) until every
                // worker has one: a busy host may wake the helpers late, but they must come.
                guard count >= 16 else { return }
                let deadline = Date().addingTimeInterval(10)
                while perWorker.values.contains(0) && Date() < deadline { usleep(100) }
            }
            XCTAssertEqual(runs.values, [Int](repeating: 1, count: count), "\(count) tasks on \(workers)")
            XCTAssertEqual(outOfRange.values, [0])
            if count >= 16 { XCTAssertTrue(perWorker.values.allSatisfy { $0 > 0 }, "\(perWorker.values)") }
        }
    }
}
