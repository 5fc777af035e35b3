import Jobs
import XCTest
@testable import Runner

/// The job table: longest first, attempts and their limit, late results, orphans, replay.
final class SchedulerTests: XCTestCase {
    func spec(_ id: String, cost: Double) -> JobSpec { JobSpec(id: id, method: "test.echo", fold: 0, seed: 0, expectedCost: cost) }

    func scheduler(_ specs: [JobSpec], maxAttempts: Int = 3) -> Scheduler {
        var scheduler = Scheduler(maxAttempts: maxAttempts)
        for spec in specs { XCTAssertTrue(scheduler.apply(.job(spec))) }
        return scheduler
    }

    func result(_ claim: JobClaim) -> JournalRecord {
        .done(CompletedJob(job: claim.job, attempt: claim.attempt, method: "test.echo", fold: 0, seed: 0, rows: [], artefacts: [], seconds: 0,
                           startedAt: 0, finishedAt: 0, worker: "w", host: "h"))
    }

    func testLongestExpectedJobsGoFirstWithIdsBreakingTies() {
        var table = scheduler([spec("short", cost: 1), spec("long", cost: 9), spec("mid-b", cost: 5), spec("mid-a", cost: 5)])
        var order: [String] = []
        while let next = table.nextQueued() {
            order.append(next.id)
            XCTAssertTrue(table.apply(.assigned(JobClaim(job: next.id, attempt: 1), worker: "w")))
        }
        XCTAssertEqual(order, ["long", "mid-a", "mid-b", "short"])
        XCTAssertFalse(table.isFinished)
    }

    func testFailedAttemptsRequeueUntilTheLimitThenTheJobFails() {
        var table = scheduler([spec("a", cost: 1)], maxAttempts: 3)
        for attempt in 1...3 {
            XCTAssertEqual(table.nextQueued()?.id, "a")
            XCTAssertFalse(table.apply(.assigned(JobClaim(job: "a", attempt: attempt + 1), worker: "w")), "attempts are consecutive")
            XCTAssertTrue(table.apply(.assigned(JobClaim(job: "a", attempt: attempt), worker: "w")))
            XCTAssertTrue(table.apply(.attemptFailed(JobClaim(job: "a", attempt: attempt), reason: "crash \(attempt)", counts: true)))
        }
        XCTAssertEqual(table.entry("a")?.state, .failed)
        XCTAssertEqual(table.entry("a")?.failures, ["crash 1", "crash 2", "crash 3"])
        XCTAssertNil(table.nextQueued())
        XCTAssertTrue(table.isFinished)
    }

    func testAbandonedAttemptsDoNotCountTowardsTheLimit() {
        var table = scheduler([spec("a", cost: 1)], maxAttempts: 1)
        XCTAssertTrue(table.apply(.assigned(JobClaim(job: "a", attempt: 1), worker: "w")))
        XCTAssertTrue(table.apply(.attemptFailed(JobClaim(job: "a", attempt: 1), reason: "SIGTERM", counts: false)))
        XCTAssertEqual(table.entry("a")?.state, .queued)
        XCTAssertTrue(table.apply(.assigned(JobClaim(job: "a", attempt: 2), worker: "w")))
        XCTAssertTrue(table.apply(result(JobClaim(job: "a", attempt: 2))))
        XCTAssertEqual(table.entry("a")?.state, .done)
    }

    func testALateResultOfAReassignedAttemptIsRefusedAndADuplicateToo() {
        var table = scheduler([spec("a", cost: 1)])
        let first = JobClaim(job: "a", attempt: 1), second = JobClaim(job: "a", attempt: 2)
        table.apply(.assigned(first, worker: "w1"))
        table.apply(.attemptFailed(first, reason: "lost", counts: true))
        // Released but not handed out again: the first attempt's result is still welcome.
        XCTAssertTrue(table.canFinish(first))
        table.apply(.assigned(second, worker: "w2"))
        XCTAssertFalse(table.canFinish(first))
        XCTAssertFalse(table.apply(result(first)))
        XCTAssertTrue(table.apply(result(second)))
        XCTAssertFalse(table.apply(result(second)), "a duplicate result")
        XCTAssertEqual(table.completed.map(\.attempt), [2])
    }

    func testRunningJobsBecomeOrphansThatTheirWorkerCanReclaim() {
        var table = scheduler([spec("a", cost: 2), spec("b", cost: 1)])
        table.apply(.assigned(JobClaim(job: "a", attempt: 1), worker: "w1"))
        table.orphanRunning()
        XCTAssertEqual(table.entry("a")?.state, .orphaned)
        XCTAssertEqual(table.nextQueued()?.id, "b", "an orphan is not handed out while it may be reclaimed")
        XCTAssertFalse(table.apply(.adopted(JobClaim(job: "a", attempt: 2), worker: "w1")))
        XCTAssertTrue(table.apply(.adopted(JobClaim(job: "a", attempt: 1), worker: "w1")))
        XCTAssertEqual(table.entry("a")?.state, .running)
    }

    func testAReclaimByTheLostWorkerWithdrawsTheFailureItsLossCounted() {
        var table = scheduler([spec("a", cost: 1)], maxAttempts: 2)
        let claim = JobClaim(job: "a", attempt: 1)
        table.apply(.assigned(claim, worker: "w1"))
        table.apply(.attemptFailed(claim, reason: "connection closed", counts: true))
        XCTAssertEqual(table.entry("a")?.failures.count, 1)
        XCTAssertTrue(table.apply(.adopted(claim, worker: "w1", forgiven: true)))
        XCTAssertEqual(table.entry("a")?.failures, [])
        XCTAssertEqual(table.entry("a")?.state, .running)
    }

    func testReplayingTheRecordsRebuildsTheSameTable() {
        var live = scheduler([spec("a", cost: 3), spec("b", cost: 2), spec("c", cost: 1)], maxAttempts: 2)
        var log: [JournalRecord] = live.allEntries.map { .job($0.spec) }
        func apply(_ record: JournalRecord) {
            XCTAssertTrue(live.apply(record))
            log.append(record)
        }
        apply(.assigned(JobClaim(job: "a", attempt: 1), worker: "w1"))
        apply(.assigned(JobClaim(job: "b", attempt: 1), worker: "w2"))
        apply(.attemptFailed(JobClaim(job: "a", attempt: 1), reason: "lost", counts: true))
        apply(result(JobClaim(job: "b", attempt: 1)))
        apply(.assigned(JobClaim(job: "a", attempt: 2), worker: "w2"))
        var replayed = Scheduler(maxAttempts: 2)
        for record in log { replayed.apply(record) }
        XCTAssertEqual(replayed.allEntries, live.allEntries)
        XCTAssertEqual(replayed.nextQueued()?.id, "c")
    }
}
