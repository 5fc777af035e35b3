import Foundation
import Jobs
import XCTest
@testable import Runner

/// The wire codec: every message survives a round trip; anything else is refused with the
/// reason, never a crash.
final class ProtocolCodecTests: XCTestCase {
    let codec = WireCodec()
    let job = JobSpec(id: "MT-fold1", method: "MT", fold: 1, seed: 42, settings: ["epochs": 3, "augment": ["flip": true]], expectedCost: 7.5)

    func testEveryMessageSurvivesARoundTrip() throws {
        let claim = JobClaim(job: "MT-fold1", attempt: 2)
        let messages: [WireMessage] = [
            .hello(Hello(software: "0.1.0", host: "node7", pid: 1234, threads: 4, current: claim)),
            .hello(Hello(software: "0.1.0", host: "node7", pid: 1234, threads: 4, current: nil)),
            .heartbeat(Heartbeat(current: claim, progress: JobProgress(epoch: 3, epochs: 10, step: 5, steps: 50, loss: 0.25, fraction: 0.31, etaSeconds: 90))),
            .heartbeat(Heartbeat()),
            .result(ResultMessage(claim: claim, output: JobOutput(rows: [["case": "Case01", "dice": 0.87]], artefacts: ["model.h5"]),
                                  startedAt: 1000, finishedAt: 1060.5, worker: "node7:1234", host: "node7")),
            .failure(FailureMessage(claim: claim, reason: "out of memory", abandoned: false)),
            .goodbye, .statusRequest, .rehello,
            .welcome(Welcome(heartbeatMilliseconds: 1000, liveness: 3)),
            .assign(Assignment(job: job, attempt: 2, runDirectory: "/runs/table1")),
            .ack(Ack(claim: claim, accepted: false)),
            .cancel(Cancel(claim: claim, reason: "reassigned")),
            .shutdown(Reason("run finished")),
            .status(RunStatus(jobs: [JobStatus(id: "a", method: "MT", fold: 1, state: .running, attempt: 1, worker: "w:1", progress: JobProgress(fraction: 0.5),
                                               failures: ["x"], runningSeconds: 3)], workers: [WorkerStatus(name: "w:1", threads: 2, job: "a")])),
        ]
        for message in messages {
            let frame = try codec.encode(message)
            XCTAssertEqual(Array(frame.prefix(4)), Array("SPSG".utf8))
            XCTAssertEqual(frame[4], WireProtocol.version)
            XCTAssertEqual(try codec.decode(frame), message, message.name)
        }
        // Type codes are distinct, so no two messages can be confused on the wire.
        XCTAssertEqual(Set(try messages.map { try codec.encode($0)[5] }).count, 13)
    }

    func testMalformedFramesAreRefusedWithTheirReason() throws {
        let good = try codec.encode(.heartbeat(Heartbeat()))
        func error(_ frame: [UInt8]) -> WireError? {
            do { _ = try codec.decode(frame); return nil } catch { return error }
        }
        XCTAssertEqual(error([]), .tooShort(0))
        XCTAssertEqual(error(Array("SPSG\u{1}".utf8)), .tooShort(5))
        XCTAssertEqual(error(Array("XXXX\u{1}\u{6}{}".utf8)), .badMagic)
        var otherVersion = good
        otherVersion[4] = 9
        XCTAssertEqual(error(otherVersion), .unsupportedVersion(9))
        var unknownType = good
        unknownType[5] = 99
        XCTAssertEqual(error(unknownType), .unknownType(99))
        XCTAssertEqual(error(good + [UInt8](repeating: 32, count: WireProtocol.maximumFrameBytes)), .oversized(good.count + WireProtocol.maximumFrameBytes))

        let result = try codec.encode(.result(ResultMessage(claim: JobClaim(job: "a", attempt: 1), output: JobOutput(rows: []), startedAt: 0, finishedAt: 1,
                                                            worker: "w", host: "h")))
        guard case .malformedBody(type: 2, _)? = error(Array(result.dropLast(5))) else { return XCTFail("a truncated body is malformed") }
        guard case .malformedBody(type: 17, let detail)? = error(WireProtocol.magic + [1, 17] + Array(#"{"attempt": "two"}"#.utf8)) else {
            return XCTFail("a body of the wrong shape is malformed")
        }
        XCTAssertFalse(detail.isEmpty)
        for n in 0..<200 {
            // Fixed pseudo-random bytes behind a valid header never crash the decoder.
            let noise = (0..<(n % 64)).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0 &* 17 &+ ($0 >> 2)) }
            XCTAssertNotNil(error(WireProtocol.magic + [1, UInt8(1 + n % 22)] + noise))
        }
    }
}
