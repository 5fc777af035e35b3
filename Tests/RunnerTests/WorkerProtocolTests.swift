import Foundation
import Jobs
import XCTest
@testable import Runner
import ZeroMQ

/// A real `sparseseg worker` process against a hand-driven ROUTER standing in for the
/// coordinator: the worker's side of the protocol, message by message.
final class WorkerProtocolTests: XCTestCase {
    func testTheWorkerGreetsRunsJobsRefusesBadPathsAndStopsOnShutdown() throws {
        let harness = try Harness(jobs: [JobSpec(id: "unused", method: "test.echo", fold: 0, seed: 0)])
        let context = try Context()
        let router = try context.socket(.router)
        try router.setLinger(.zero)
        try router.bind(harness.endpoint)
        let codec = WireCodec()
        let worker = try harness.startWorker()

        func next(_ timeout: Double = 5) throws -> ([UInt8], WireMessage)? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                guard try poll([.socket(router)], timeout: .milliseconds(50))[0], let message = try router.receive(wait: false) else { continue }
                let decoded = try codec.decode(message.frames[1])
                if case .heartbeat = decoded { continue }
                return (message.frames[0], decoded)
            }
            return nil
        }
        func send(_ message: WireMessage, to id: [UInt8]) throws { try router.send([id, try codec.encode(message)]) }

        guard let (id, first) = try next(), case .hello(let hello) = first else { return XCTFail("no hello") }
        XCTAssertEqual(hello.pid, worker.processIdentifier)
        XCTAssertNil(hello.current)
        try send(.welcome(Welcome(heartbeatMilliseconds: 100, liveness: 3)), to: id)

        // A job naming a file outside the run directory is refused by the worker itself.
        let runDirectory = harness.runDirectory.path
        try FileManager.default.createDirectory(at: harness.runDirectory, withIntermediateDirectories: true)
        try send(.assign(Assignment(job: JobSpec(id: "sneaky", method: "test.echo", fold: 0, seed: 0, settings: ["out": "/etc/x"]), attempt: 1,
                                    runDirectory: runDirectory)), to: id)
        guard case .failure(let failure)? = try next()?.1 else { return XCTFail("no failure for a bad path") }
        XCTAssertEqual(failure.claim, JobClaim(job: "sneaky", attempt: 1))
        XCTAssertFalse(failure.abandoned)
        XCTAssertTrue(failure.reason.contains("outside"), failure.reason)
        try send(.ack(Ack(claim: failure.claim, accepted: true)), to: id)

        // An unknown method is a failure too; a good job comes back as a result.
        try send(.assign(Assignment(job: JobSpec(id: "odd", method: "no.such", fold: 0, seed: 0), attempt: 1, runDirectory: runDirectory)), to: id)
        guard case .failure(let unknown)? = try next()?.1 else { return XCTFail("no failure for an unknown method") }
        XCTAssertTrue(unknown.reason.contains("no executor"), unknown.reason)
        try send(.ack(Ack(claim: unknown.claim, accepted: true)), to: id)
        try send(.assign(Assignment(job: JobSpec(id: "fine", method: "test.echo", fold: 3, seed: 9, settings: ["k": "v"]), attempt: 2,
                                    runDirectory: runDirectory)), to: id)
        guard case .result(let result)? = try next()?.1 else { return XCTFail("no result") }
        XCTAssertEqual(result.claim, JobClaim(job: "fine", attempt: 2))
        XCTAssertEqual(result.output.rows, [["k": "v"]])
        XCTAssertEqual(harness.completions("fine").count, 1, "the worker used the run directory it was given")

        // Unacknowledged, the result is claimed again when the worker is asked to say hello.
        try send(.rehello, to: id)
        guard case .hello(let again)? = try next()?.1 else { return XCTFail("no second hello") }
        XCTAssertEqual(again.current, result.claim)
        guard case .result(let resent)? = try next()?.1 else { return XCTFail("the result was not sent again") }
        XCTAssertEqual(resent.claim, result.claim)
        try send(.ack(Ack(claim: result.claim, accepted: true)), to: id)

        try send(.shutdown(Reason("test over")), to: id)
        XCTAssertEqual(harness.exitStatus(worker, timeout: 5), 0, harness.log("worker-1"))
    }
}
