import Foundation
import Jobs
import XCTest
@testable import Runner

/// The runner end to end: real `sparseseg` coordinator and worker processes over TCP on
/// 127.0.0.1, with processes killed, restarted and impersonated.
final class ClusterTests: XCTestCase {
    func echo(_ id: String, cost: Double = 1) -> JobSpec { JobSpec(id: id, method: "test.echo", fold: 0, seed: 1, settings: ["id": .string(id)], expectedCost: cost) }
    func sleeping(_ id: String, _ seconds: Double, cost: Double = 1) -> JobSpec {
        JobSpec(id: id, method: "test.sleep", fold: 1, seed: 2, settings: ["seconds": .number(seconds)], expectedCost: cost)
    }
    func checkpointed(_ id: String, epochs: Int, epochSeconds: Double, cost: Double = 1) -> JobSpec {
        JobSpec(id: id, method: "test.checkpoint", fold: 2, seed: 3, settings: ["epochs": .number(Double(epochs)), "epochSeconds": .number(epochSeconds)],
                expectedCost: cost)
    }

    /// Each job completed exactly once, by the worker and in results.jsonl.
    func assertEachDoneOnce(_ harness: Harness, _ ids: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(harness.results.map(\.job).sorted(), ids.sorted(), "results.jsonl", file: file, line: line)
        for id in ids { XCTAssertEqual(harness.completions(id).count, 1, "\(id) ran to completion \(harness.completions(id))", file: file, line: line) }
        XCTAssertEqual(harness.journal.filter { $0.kind == .done }.count, ids.count, "done records", file: file, line: line)
    }

    // (a)
    func testThreeWorkersRunADozenJobsExactlyOnce() throws {
        let jobs = (0..<6).map { echo("echo/\($0)") } + (0..<6).map { sleeping("sleep-\($0)", 0.05 * Double($0 + 1), cost: Double($0 + 2)) }
        let harness = try Harness(jobs: jobs)
        let coordinator = try harness.startCoordinator()
        for _ in 0..<3 { try harness.startWorker() }
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 30), 0, harness.log("coordinator"))
        assertEachDoneOnce(harness, jobs.map(\.id))
        XCTAssertEqual(Set(harness.results.map(\.attempt)), [1])
        XCTAssertGreaterThan(Set(harness.results.map(\.worker)).count, 1, "the work was shared")
        XCTAssertEqual(harness.results.first { $0.job == "echo/3" }?.rows, [["id": "echo/3"]])
        // Longest first: the first assignments are the most expensive sleeps.
        let firstAssigned = harness.journal.filter { $0.kind == .assigned }.prefix(3).compactMap { $0.claim?.job }
        XCTAssertEqual(Set(firstAssigned), ["sleep-5", "sleep-4", "sleep-3"])
        // The workers that joined exit when the coordinator shuts the run down. (One still
        // connecting when the last job finished never hears of it and gives up on its own
        // later; on a busy machine that happens.)
        let log = harness.log("coordinator")
        let joined = harness.processes.dropFirst().filter { log.contains(":\($0.processIdentifier) joined") }
        XCTAssertGreaterThan(joined.count, 1)
        XCTAssertTrue(harness.wait(10) { joined.allSatisfy { !$0.isRunning } }, log)
    }

    // (b)
    func testAWorkerKilledMidJobIsReplacedWithinASecondAndTheJobResumesFromItsCheckpoint() throws {
        let harness = try Harness(jobs: [checkpointed("ckpt", epochs: 6, epochSeconds: 0.25, cost: 10), echo("quick")])
        let coordinator = try harness.startCoordinator()
        try harness.startWorker()
        try harness.startWorker()
        let checkpoint = harness.runDirectory.appendingPathComponent("jobs/ckpt/checkpoint.json")
        XCTAssertTrue(harness.wait(10) {
            ((try? JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: checkpoint)))?["epoch"]?.doubleValue ?? 0) >= 2
        }, "the job never reached epoch 2")
        let holder = try XCTUnwrap(harness.journal.last { $0.kind == .assigned && $0.claim?.job == "ckpt" }?.worker)
        let pid = try XCTUnwrap(Int32(holder.split(separator: ":").last ?? ""))
        let killedAt = Date().timeIntervalSince1970
        XCTAssertEqual(kill(pid, SIGKILL), 0)

        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        assertEachDoneOnce(harness, ["ckpt", "quick"])
        let result = try XCTUnwrap(harness.results.first { $0.job == "ckpt" })
        XCTAssertEqual(result.attempt, 2)
        XCTAssertNotEqual(result.worker, holder)
        XCTAssertGreaterThanOrEqual(result.rows.first?["resumedFromEpoch"]?.doubleValue ?? 0, 2, "resumed from the checkpoint, not from scratch")
        let lost = try XCTUnwrap(harness.journal.first { $0.kind == .attemptFailed && $0.claim == JobClaim(job: "ckpt", attempt: 1) })
        XCTAssertTrue(lost.reason?.contains("connection closed") ?? false, "noticed by the socket monitor: \(lost.reason ?? "")")
        let reassigned = try XCTUnwrap(harness.journal.first { $0.kind == .assigned && $0.claim == JobClaim(job: "ckpt", attempt: 2) })
        XCTAssertLessThan(reassigned.time - killedAt, 1.0, "running again within 1 s of the kill")
        XCTAssertEqual(harness.completions("ckpt").first?.hasPrefix("2 "), true)
    }

    // (c)
    func testACoordinatorKilledMidRunResumesWithoutRunningAnyJobTwice() throws {
        let jobs = (0..<9).map { checkpointed("job-\($0)", epochs: 3, epochSeconds: 0.15) }
        let harness = try Harness(jobs: jobs)
        let first = try harness.startCoordinator()
        for _ in 0..<3 { try harness.startWorker() }
        XCTAssertTrue(harness.wait(10) { harness.journal.contains { $0.kind == .done } && harness.journal.filter { $0.kind == .assigned }.count > 3 })
        kill(first.processIdentifier, SIGKILL)
        XCTAssertNotNil(harness.exitStatus(first, timeout: 5))
        let doneBefore = harness.journal.filter { $0.kind == .done }.count
        XCTAssertLessThan(doneBefore, jobs.count, "killed mid-run")
        Thread.sleep(forTimeInterval: 0.2)

        let second = try harness.startCoordinator()
        XCTAssertEqual(harness.exitStatus(second, timeout: 30), 0, harness.log("coordinator"))
        assertEachDoneOnce(harness, jobs.map(\.id))
        XCTAssertTrue(harness.log("coordinator").contains("resumed"), harness.log("coordinator"))
        // Every assignment ended, in a result or a requeue. (A job journaled as assigned but
        // killed before the message left is requeued after the reclaim grace: no worker has it.)
        let orphaned = Set(harness.journal.filter { $0.kind == .assigned }.compactMap(\.claim))
            .subtracting(harness.journal.filter { $0.kind == .done || $0.kind == .attemptFailed }.compactMap(\.claim))
        XCTAssertTrue(orphaned.isEmpty, "every assignment ended: \(orphaned)")
    }

    // (d)
    func testAWorkerWithAnUnknownKeyGetsNoJobAndCannotSubmitAResult() throws {
        let harness = try Harness(jobs: [echo("secret-1"), echo("secret-2")])
        let keys = harness.directory.appendingPathComponent("keys"), strangerKeys = harness.directory.appendingPathComponent("stranger")
        _ = try KeyFiles.generate(in: keys, names: ["coordinator", "worker"])
        _ = try KeyFiles.generate(in: strangerKeys, names: ["worker"])
        try FileManager.default.copyItem(at: keys.appendingPathComponent("coordinator.pub"), to: strangerKeys.appendingPathComponent("coordinator.pub"))
        let coordinator = try harness.startCoordinator(["--keys", keys.path])
        try harness.startWorker(["--keys", strangerKeys.path])
        try harness.startWorker()  // plaintext
        XCTAssertTrue(harness.wait(5) {
            let log = harness.log("coordinator")
            return log.contains("is not authorised") && log.contains("does not speak CURVE")
        }, harness.log("coordinator"))

        // Forge a result with the stranger's key on a raw socket.
        let forged = try RawClient(endpoint: harness.endpoint, security: .curve(
            serverKey: try KeyFiles.loadPublicKey(keys.appendingPathComponent("coordinator.pub")),
            keys: try KeyFiles.loadKeyPair(strangerKeys.appendingPathComponent("worker.key"))))
        try forged.send(WireCodec().encode(.result(ResultMessage(claim: JobClaim(job: "secret-1", attempt: 1), output: JobOutput(rows: [["forged": true]]),
                                                                 startedAt: 0, finishedAt: 1, worker: "mallory:1", host: "mallory"))))
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(coordinator.isRunning)
        XCTAssertFalse(harness.journal.contains { $0.kind == .assigned || $0.kind == .done }, "no job went to a stranger")

        let good = try harness.startWorker(["--keys", keys.path])
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        assertEachDoneOnce(harness, ["secret-1", "secret-2"])
        XCTAssertEqual(Set(harness.results.map(\.worker)), ["\(ProcessInfo.processInfo.hostName):\(good.processIdentifier)"])
        XCTAssertFalse(harness.results.contains { $0.rows.contains(["forged": true]) })
    }

    // (e)
    func testGarbageTruncatedAndOversizedFramesDoNotCrashTheCoordinator() throws {
        let harness = try Harness(jobs: [sleeping("s1", 0.3), sleeping("s2", 0.3)])
        let coordinator = try harness.startCoordinator()
        let client = try RawClient(endpoint: harness.endpoint, security: .plaintext)
        let codec = WireCodec()
        let heartbeat = try codec.encode(.heartbeat(Heartbeat()))
        var badVersion = heartbeat
        badVersion[4] = 7
        var badType = heartbeat
        badType[5] = 200
        let result = try codec.encode(.result(ResultMessage(claim: JobClaim(job: "s1", attempt: 1), output: JobOutput(rows: []), startedAt: 0, finishedAt: 1,
                                                            worker: "x:1", host: "x")))
        let frames: [[[UInt8]]] = [
            [[0xde, 0xad, 0xbe, 0xef]], [Array("SPSG".utf8)], [badVersion], [badType], [Array(result.prefix(result.count / 2))],
            [[UInt8](repeating: 0x41, count: WireProtocol.maximumFrameBytes + 1)], [heartbeat, heartbeat, heartbeat], [[]],
            [result],  // well formed, but for an attempt nobody was given
        ]
        for message in frames { try client.send(message) }
        XCTAssertTrue(harness.wait(5) {
            let log = harness.log("coordinator")
            return log.components(separatedBy: "dropped").count - 1 >= 7 && log.contains("refused a result for s1 attempt 1 from a connection without hello")
        }, harness.log("coordinator"))
        XCTAssertTrue(coordinator.isRunning)

        // Status still answers, and the run still completes.
        let status = try StatusClient.query(harness.endpoint)
        XCTAssertEqual(status.jobs.map(\.state), [.queued, .queued])
        try harness.startWorker()
        XCTAssertTrue(harness.wait(5) { (try? StatusClient.query(harness.endpoint, timeout: .milliseconds(500)))?.count(.running) == 1 })
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        assertEachDoneOnce(harness, ["s1", "s2"])
    }

    // (f)
    func testAJobThatKeepsCrashingIsFailedAfterItsAttemptsAndTheRunCompletes() throws {
        let harness = try Harness(jobs: [JobSpec(id: "crasher", method: "test.crash", fold: 0, seed: 0, expectedCost: 5), echo("fine-1"), echo("fine-2")])
        let coordinator = try harness.startCoordinator()
        for _ in 0..<4 { try harness.startWorker() }
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 30), 2, "failed jobs make a non-zero exit: \(harness.log("coordinator"))")
        assertEachDoneOnce(harness, ["fine-1", "fine-2"])
        let failures = harness.journal.filter { $0.kind == .attemptFailed && $0.claim?.job == "crasher" }
        XCTAssertEqual(failures.map { $0.claim?.attempt }, [1, 2, 3])
        XCTAssertTrue(failures.allSatisfy { $0.counts == true && ($0.reason ?? "").contains("lost") })
        XCTAssertTrue(harness.log("coordinator").contains("crasher failed after 3 attempts"))
        // The run directory says so: failures.jsonl, as docs/run-directory.md describes it.
        let failed = try String(contentsOf: harness.runDirectory.appendingPathComponent("failures.jsonl"), encoding: .utf8)
        let records = try failed.split(separator: "\n").map { try JSONDecoder().decode(FailedJob.self, from: Data($0.utf8)) }
        XCTAssertEqual(records.map(\.job), ["crasher"])
        XCTAssertEqual(records.first?.reasons.count, 3)
        XCTAssertTrue(records.first?.reasons.allSatisfy { $0.contains("lost") } ?? false, "\(records)")
    }

    /// A write error on the coordinator's side (here failures.jsonl cannot be replaced) stops
    /// the run with the cause, instead of going on without its record.
    func testACoordinatorWriteErrorStopsTheRunWithItsCause() throws {
        let harness = try Harness(jobs: [JobSpec(id: "crasher", method: "test.crash", fold: 0, seed: 0, expectedCost: 5), sleeping("later", 2)])
        try FileManager.default.createDirectory(at: harness.runDirectory.appendingPathComponent("failures.jsonl/blocker"), withIntermediateDirectories: true)
        let coordinator = try harness.startCoordinator(["--max-attempts", "1"])
        try harness.startWorker()
        let status = harness.exitStatus(coordinator, timeout: 20)
        XCTAssertNotNil(status, harness.log("coordinator"))
        XCTAssertNotEqual(status, 0)
        XCTAssertNotEqual(status, 2, "not the exit of a run that finished with failed jobs")
        let log = harness.log("coordinator")
        XCTAssertTrue(log.contains("failures.jsonl") && log.contains("Is a directory"), log)
        XCTAssertFalse(harness.journal.contains { $0.kind == .done && $0.claim?.job == "later" }, "the run went on")
    }

    func testAHungWorkerIsDeclaredLostByHeartbeatAndItsLateResultIsIgnored() throws {
        let harness = try Harness(jobs: [sleeping("slow", 1.0)])
        let coordinator = try harness.startCoordinator()
        let first = try harness.startWorker()
        XCTAssertTrue(harness.wait(5) { harness.journal.contains { $0.kind == .assigned } })
        let second = try harness.startWorker()
        Thread.sleep(forTimeInterval: 0.2)
        // A stopped process keeps its TCP connection open: only the heartbeats can tell.
        XCTAssertEqual(kill(first.processIdentifier, SIGSTOP), 0)
        XCTAssertTrue(harness.wait(5) { harness.journal.contains { $0.kind == .assigned && $0.claim?.attempt == 2 } }, harness.log("coordinator"))
        XCTAssertEqual(kill(first.processIdentifier, SIGCONT), 0)
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        let lost = try XCTUnwrap(harness.journal.first { $0.kind == .attemptFailed })
        XCTAssertTrue(lost.reason?.contains("silent for 3 heartbeat intervals") ?? false, lost.reason ?? "")
        XCTAssertEqual(harness.results.map(\.attempt), [2])
        XCTAssertEqual(harness.results.first?.worker.hasSuffix(":\(second.processIdentifier)"), true)
    }

    func testJobsWhoseWorkerDiedWithTheCoordinatorAreRequeuedAfterTheReclaimGrace() throws {
        let harness = try Harness(jobs: [checkpointed("survivor", epochs: 8, epochSeconds: 0.2)])
        let first = try harness.startCoordinator()
        let worker = try harness.startWorker()
        let checkpoint = harness.runDirectory.appendingPathComponent("jobs/survivor/checkpoint.json")
        XCTAssertTrue(harness.wait(10) { FileManager.default.fileExists(atPath: checkpoint.path) })
        kill(worker.processIdentifier, SIGKILL)
        kill(first.processIdentifier, SIGKILL)
        XCTAssertNotNil(harness.exitStatus(first, timeout: 5))
        let second = try harness.startCoordinator(["--reclaim-grace-ms", "300", "--max-attempts", "1"])
        try harness.startWorker()
        XCTAssertEqual(harness.exitStatus(second, timeout: 20), 0, harness.log("coordinator"))
        let requeued = try XCTUnwrap(harness.journal.first { $0.kind == .attemptFailed })
        XCTAssertEqual(requeued.counts, false, "a coordinator restart does not use up an attempt")
        XCTAssertTrue(requeued.reason?.contains("not reclaimed") ?? false, requeued.reason ?? "")
        XCTAssertEqual(harness.results.map(\.attempt), [2])
        XCTAssertGreaterThanOrEqual(harness.results.first?.rows.first?["resumedFromEpoch"]?.doubleValue ?? 0, 1)
    }

    func testAWorkerReconnectsToAStalledCoordinatorAndKeepsItsJob() throws {
        let harness = try Harness(jobs: [sleeping("patient", 1.2)])
        let coordinator = try harness.startCoordinator()
        try harness.startWorker()
        // Running on the worker, not just journaled as assigned.
        XCTAssertTrue(harness.wait(5) { (try? StatusClient.query(harness.endpoint, timeout: .milliseconds(500)))?.jobs.first?.progress != nil })
        // Longer than the worker's 3 x 100 ms liveness: it gives the connection up and
        // reconnects with backoff (Paranoid Pirate).
        XCTAssertEqual(kill(coordinator.processIdentifier, SIGSTOP), 0)
        XCTAssertTrue(harness.wait(5) { harness.log("worker-1").contains("reconnecting") }, harness.log("worker-1"))
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(kill(coordinator.processIdentifier, SIGCONT), 0)
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        // Its old connection may be seen closing before its hello on the new one arrives; the
        // job is then requeued for a moment, but reclaimed with the failure withdrawn.
        let requeued = harness.journal.filter { $0.kind == .attemptFailed && $0.counts == true }.count
        let forgiven = harness.journal.filter { $0.kind == .adopted && $0.counts == false }.count
        XCTAssertEqual(requeued, forgiven, harness.log("coordinator") + harness.log("worker-1"))
        XCTAssertEqual(harness.results.map(\.attempt), [1])
        XCTAssertEqual(harness.completions("patient").count, 1)
    }

    func testAJobThatNeverYieldsDoesNotStopTheHeartbeats() throws {
        // Two spinning jobs on two workers keep both cores busy for 10 heartbeat intervals.
        let jobs = [JobSpec(id: "spin-1", method: "test.spin", fold: 0, seed: 0, settings: ["seconds": 1.0]),
                    JobSpec(id: "spin-2", method: "test.spin", fold: 0, seed: 0, settings: ["seconds": 1.0])]
        let harness = try Harness(jobs: jobs)
        let coordinator = try harness.startCoordinator()
        try harness.startWorker()
        try harness.startWorker()
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        XCTAssertFalse(harness.journal.contains { $0.kind == .attemptFailed }, harness.log("coordinator"))
        assertEachDoneOnce(harness, jobs.map(\.id))
        XCTAssertEqual(harness.results.map(\.attempt), [1, 1])
    }

    func testAWorkerStoppedWithSIGTERMHandsItsJobBackAtOnceWithoutUsingAnAttempt() throws {
        let harness = try Harness(jobs: [sleeping("long", 1.5, cost: 2)])
        let coordinator = try harness.startCoordinator(["--max-attempts", "1"])
        let first = try harness.startWorker()
        XCTAssertTrue(harness.wait(5) { harness.journal.contains { $0.kind == .assigned } })
        try harness.startWorker()
        Thread.sleep(forTimeInterval: 0.2)
        let stoppedAt = Date().timeIntervalSince1970
        first.terminate()
        XCTAssertEqual(harness.exitStatus(first, timeout: 5), 0)
        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 20), 0, harness.log("coordinator"))
        let handedBack = try XCTUnwrap(harness.journal.first { $0.kind == .attemptFailed })
        XCTAssertEqual(handedBack.counts, false)
        XCTAssertLessThan(handedBack.time - stoppedAt, 0.5)
        XCTAssertEqual(harness.results.map(\.attempt), [2])
    }
}
