import Foundation
import Jobs
import XCTest
@testable import Runner

/// A connected peer that is not the worker holding a job cannot finish, fail, take over or
/// stall it: real coordinator and worker processes, and a second connection sending every
/// message type about the real worker's job while it runs.
final class HostilePeerTests: XCTestCase {
    private let codec = WireCodec()

    private func sleeping(_ id: String, _ seconds: Double) -> JobSpec {
        JobSpec(id: id, method: "test.sleep", fold: 1, seed: 2, settings: ["seconds": .number(seconds)])
    }

    /// Every message a peer can send, each naming `claim`, as `name`.
    private func everyMessage(about claim: JobClaim, as name: String, spec: JobSpec) -> [WireMessage] {
        let parts = name.split(separator: ":")
        let forged = JobOutput(rows: [["forged": true]], artefacts: ["../../../../etc/passwd"])
        return [
            .hello(Hello(software: "x", host: String(parts[0]), pid: Int32(parts[1]) ?? 1, threads: 1, current: claim)),
            .heartbeat(Heartbeat(current: claim, progress: JobProgress(epoch: 9, epochs: 9, fraction: 1))),
            .result(ResultMessage(claim: claim, output: forged, startedAt: 0, finishedAt: 1, worker: name, host: "mallory")),
            .failure(FailureMessage(claim: claim, reason: "forged failure", abandoned: false)),
            .failure(FailureMessage(claim: claim, reason: "forged hand-back", abandoned: true)),
            .statusRequest,
            .welcome(Welcome(heartbeatMilliseconds: 1, liveness: 1)),
            .assign(Assignment(job: spec, attempt: claim.attempt, runDirectory: "/")),
            .ack(Ack(claim: claim, accepted: true)),
            .cancel(Cancel(claim: claim, reason: "forged")),
            .rehello,
            .shutdown(Reason("forged")),
            .status(RunStatus(jobs: [], workers: [])),
            .goodbye,
        ]
    }

    private func firstAssignment(_ harness: Harness) -> JournalRecord? {
        harness.journal.first { $0.kind == .assigned }
    }

    func testMessagesAboutAnotherWorkersJobAreRefusedAndTheRunCompletes() throws {
        let jobs = [sleeping("a", 1.0), sleeping("b", 0.3), sleeping("c", 0.3)]
        let harness = try Harness(jobs: jobs)
        let coordinator = try harness.startCoordinator()
        let worker = try harness.startWorker()
        XCTAssertTrue(harness.wait(5) { self.firstAssignment(harness) != nil }, harness.log("coordinator"))
        let assigned = try XCTUnwrap(firstAssignment(harness))
        let claim = try XCTUnwrap(assigned.claim)
        let spec = try XCTUnwrap(jobs.first { $0.id == claim.job })

        // A connection that never said hello, then one that says hello as another worker.
        let stranger = try RawClient(endpoint: harness.endpoint, security: .plaintext)
        for message in everyMessage(about: claim, as: "mallory:1", spec: spec) where message.name != "hello" {
            try stranger.send(codec.encode(message))
        }
        let impostor = try RawClient(endpoint: harness.endpoint, security: .plaintext)
        for message in everyMessage(about: claim, as: "mallory:2", spec: spec) { try impostor.send(codec.encode(message)) }

        XCTAssertTrue(harness.wait(5) {
            let log = harness.log("coordinator")
            return log.contains("refused a result for \(claim.job) attempt \(claim.attempt) from a connection without hello")
                && log.contains("refused a failure report for \(claim.job)")
                && log.contains("refused mallory:2's claim on \(claim.job) attempt \(claim.attempt)")
                && log.contains("address 127.0.0.1")
        }, harness.log("coordinator"))

        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 30), 0, harness.log("coordinator"))
        // Every job done once, by the real worker, at its first attempt, with its own rows.
        XCTAssertEqual(harness.results.map(\.job).sorted(), ["a", "b", "c"])
        XCTAssertEqual(Set(harness.results.map(\.attempt)), [1])
        XCTAssertEqual(Set(harness.results.map(\.worker)), [assigned.worker])
        XCTAssertFalse(harness.results.contains { $0.rows.contains(["forged": true]) })
        XCTAssertFalse(harness.results.contains { $0.artefacts.contains { $0.contains("..") } })
        XCTAssertFalse(harness.journal.contains { $0.kind == .attemptFailed }, harness.log("coordinator"))
        XCTAssertFalse(harness.journal.contains { $0.kind == .adopted }, "the impostor adopted the job")
        XCTAssertEqual(harness.exitStatus(worker, timeout: 5), 0)
    }

    func testUnderCurveAWorkerNameBelongsToItsKeyAndAnotherKeyCannotTakeItsJob() throws {
        let harness = try Harness(jobs: [sleeping("x", 1.0), sleeping("y", 0.3)])
        let keys = harness.directory.appendingPathComponent("keys")
        _ = try KeyFiles.generate(in: keys, names: ["coordinator", "worker", "intruder"])
        let coordinator = try harness.startCoordinator(["--keys", keys.path])
        try harness.startWorker(["--keys", keys.path, "--key-name", "worker"])
        XCTAssertTrue(harness.wait(5) { self.firstAssignment(harness) != nil }, harness.log("coordinator"))
        let assigned = try XCTUnwrap(firstAssignment(harness))
        let claim = try XCTUnwrap(assigned.claim), name = try XCTUnwrap(assigned.worker)

        // An authorised key, speaking as the real worker (same name), then as itself.
        let intruder = try RawClient(endpoint: harness.endpoint, security: .curve(
            serverKey: try KeyFiles.loadPublicKey(keys.appendingPathComponent("coordinator.pub")),
            keys: try KeyFiles.loadKeyPair(keys.appendingPathComponent("intruder.key"))))
        let spec = sleeping(claim.job, 1.0)
        for message in everyMessage(about: claim, as: name, spec: spec) { try intruder.send(codec.encode(message)) }
        for message in everyMessage(about: claim, as: "intruder:7", spec: spec) { try intruder.send(codec.encode(message)) }
        XCTAssertTrue(harness.wait(5) {
            let log = harness.log("coordinator")
            return log.contains("refused a hello as \(name)") && log.contains("that worker name belongs to key worker")
                && log.contains("refused intruder:7's claim on \(claim.job)") && log.contains("key intruder")
        }, harness.log("coordinator"))

        XCTAssertEqual(harness.exitStatus(coordinator, timeout: 30), 0, harness.log("coordinator"))
        XCTAssertEqual(harness.results.map(\.job).sorted(), ["x", "y"])
        XCTAssertEqual(Set(harness.results.map(\.attempt)), [1])
        XCTAssertFalse(harness.results.contains { $0.rows.contains(["forged": true]) })
        XCTAssertFalse(harness.journal.contains { $0.kind == .attemptFailed || $0.kind == .adopted }, harness.log("coordinator"))
    }
}
