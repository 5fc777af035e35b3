import XCTest
@testable import Runner

/// How `sparseseg status` and the live view of `sparseseg run` show a job.
final class StatusClientTests: XCTestCase {
    private func running(epoch: Int, of epochs: Int) -> JobStatus {
        JobStatus(id: "mt/fold0/seed0", method: "mt", fold: 0, state: .running, attempt: 1, worker: "node1:42",
                  progress: JobProgress(epoch: epoch, epochs: epochs, fraction: Double(epoch) / Double(epochs)), failures: [], runningSeconds: 3)
    }

    /// Executors report the epoch under way counted from 1: the last epoch of two is "2/2"
    /// (the view used to add 1 and show "epoch 3/2").
    func testTheEpochIsShownAsReportedCountingFromOne() {
        let last = StatusText.line(running(epoch: 2, of: 2))
        XCTAssertTrue(last.contains(" epoch 2/2"), last)
        XCTAssertFalse(last.contains("epoch 3/2"), last)
        XCTAssertTrue(StatusText.line(running(epoch: 1, of: 5)).contains(" epoch 1/5"))
    }

    /// "1 workers" in the summary line of the live view and of `sparseseg status`.
    func testTheSummaryCountsOneWorkerInTheSingular() {
        let one = RunStatus(jobs: [running(epoch: 1, of: 2)], workers: [WorkerStatus(name: "node1:42", threads: 1, job: "mt/fold0/seed0")])
        XCTAssertEqual(StatusText.summary(one), "0/1 done, 1 running, 0 queued, 0 failed, 1 worker")
        let two = RunStatus(jobs: [], workers: one.workers + [WorkerStatus(name: "node2:7", threads: 1, job: nil)])
        XCTAssertTrue(StatusText.summary(two).hasSuffix(", 2 workers"), StatusText.summary(two))
    }
}
