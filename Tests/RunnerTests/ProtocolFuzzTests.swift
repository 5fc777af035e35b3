import Foundation
import Jobs
import XCTest
@testable import Runner

/// The wire decoder on 100,000 hostile frames: random bytes and mutations (bit flips,
/// truncations, extensions, spliced numbers and strings, deep nesting, oversized frames) of a
/// valid frame of every message type. Each frame must decode or be refused with a
/// ``WireError``; a trap ends the test process. Seeded, so a failure reproduces.
final class ProtocolFuzzTests: XCTestCase {
    /// SplitMix64: a fixed, tiny generator, so the frames do not change with the library's.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let claim = JobClaim(job: "mt/fold1/seed0", attempt: 2)
    private static let job = JobSpec(id: "mt/fold1/seed0", method: "mt", fold: 1, seed: 42,
                                     settings: ["epochs": 3, "augment": ["flip": true], "rates": [0.5, 1e-4]], expectedCost: 7.5)
    /// One message of every type, with optional fields both set and left out.
    private static let messages: [WireMessage] = [
        .hello(Hello(software: "0.1.0", host: "node7", pid: 1234, threads: 4, current: claim)),
        .hello(Hello(software: "0.1.0", host: "node7", pid: 1234, threads: 4, current: nil)),
        .heartbeat(Heartbeat(current: claim, progress: JobProgress(epoch: 3, epochs: 10, step: 5, steps: 50, loss: 0.25, fraction: 0.31, etaSeconds: 90))),
        .heartbeat(Heartbeat()),
        .result(ResultMessage(claim: claim, output: JobOutput(rows: [["case": "Case01", "dice": 0.87, "flags": [], "assd": nil]], artefacts: ["jobs/a/metrics.json"]),
                              startedAt: 1000, finishedAt: 1060.5, worker: "node7:1234", host: "node7")),
        .failure(FailureMessage(claim: claim, reason: "out of memory", abandoned: false)),
        .goodbye, .statusRequest, .rehello,
        .welcome(Welcome(heartbeatMilliseconds: 1000, liveness: 3)),
        .assign(Assignment(job: job, attempt: 2, runDirectory: "/runs/table1", datasetDirectories: ["/data"])),
        .ack(Ack(claim: claim, accepted: true)),
        .cancel(Cancel(claim: claim, reason: "reassigned")),
        .shutdown(Reason("run finished")),
        .status(RunStatus(jobs: [JobStatus(id: "a", method: "mt", fold: 1, state: .running, attempt: 1, worker: "w:1", progress: JobProgress(fraction: 0.5),
                                           failures: ["x"], runningSeconds: 3)], workers: [WorkerStatus(name: "w:1", threads: 2, job: "a")])),
    ]

    /// Values spliced over a number or a string of a body: past every integer type, not
    /// finite, of the wrong kind, or huge.
    private static let splices: [String] = [
        "99999999999999999999999", "-99999999999999999999999", "9223372036854775808", "-9223372036854775809", "4294967296",
        "1e400", "-1e400", "NaN", "Infinity", "-0", "0.5", "-1", "null", "true", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"",
        "1" + String(repeating: "0", count: 5000), "\"" + String(repeating: "x", count: 100_000) + "\"",
    ]

    func testHostileFramesDecodeOrAreRefusedNeverTrap() throws {
        let codec = WireCodec()
        let valid = try Self.messages.map { try codec.encode($0) }
        var random = SplitMix(state: 0x5EED_16)
        var decoded = 0, refused = 0
        var reasons: Set<String> = []
        let start = ContinuousClock.now
        let count = 100_000
        for iteration in 0..<count {
            let frame = Self.mutate(valid[iteration % valid.count], iteration: iteration, random: &random)
            do {
                let message = try codec.decode(frame)
                decoded += 1
                // What decodes is a message: it encodes again, and reads back the same.
                XCTAssertEqual(try codec.decode(try codec.encode(message)), message, "iteration \(iteration)")
            } catch {
                refused += 1
                reasons.insert(String("\(error)".prefix(20)))
            }
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(decoded + refused, count)
        // Both outcomes were reached: the mutations are neither all harmless nor all fatal.
        XCTAssertGreaterThan(decoded, count / 100, "decoded \(decoded), refused \(refused)")
        XCTAssertGreaterThan(refused, count / 2, "decoded \(decoded), refused \(refused)")
        for reason in ["frame of", "frame does not start", "protocol version", "unknown message type", "malformed body"] {
            XCTAssertTrue(reasons.contains { $0.hasPrefix(reason) || reason.hasPrefix($0) }, "no frame was refused with '\(reason)': \(reasons.sorted())")
        }
        XCTAssertLessThan(elapsed, .seconds(60))
    }

    /// Frames of exactly the size limit, and one byte more: bodies of 4 MiB of nesting, of
    /// one string, of spaces, of bytes that are not UTF-8.
    func testFramesAtTheSizeLimitAreRefusedOrDecoded() throws {
        let codec = WireCodec()
        let room = WireProtocol.maximumFrameBytes - 6
        let bodies: [[UInt8]] = [
            [UInt8](repeating: UInt8(ascii: "["), count: room),
            Array(String(repeating: "{\"a\":", count: room / 5).utf8) + [UInt8](repeating: UInt8(ascii: " "), count: room % 5),
            [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "x"), count: room - 2) + [UInt8(ascii: "\"")],
            [UInt8](repeating: UInt8(ascii: " "), count: room),
            [UInt8](repeating: 0xFF, count: room),
        ]
        for body in bodies {
            XCTAssertEqual(body.count, room)
            for type in [UInt8(1), 2, 6, 17, 22] {
                let frame = WireProtocol.magic + [WireProtocol.version, type] + body
                XCTAssertThrowsError(try codec.decode(frame))
                XCTAssertThrowsError(try codec.decode(frame + [0])) { error in
                    XCTAssertEqual(error as? WireError, .oversized(frame.count + 1))
                }
            }
        }
    }

    /// One hostile frame derived from `frame`; which mutation follows `iteration`, its details
    /// `random`.
    private static func mutate(_ frame: [UInt8], iteration: Int, random: inout SplitMix) -> [UInt8] {
        var bytes = frame
        func index(_ count: Int) -> Int { count == 0 ? 0 : Int.random(in: 0..<count, using: &random) }
        switch iteration % 10 {
        case 0:
            // Bit flips, anywhere, header included.
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                bytes[index(bytes.count)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        case 1:
            // Bit flips in the body only, so that the JSON parser sees them.
            for _ in 0..<Int.random(in: 1...4, using: &random) where bytes.count > 6 {
                bytes[6 + index(bytes.count - 6)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        case 2:
            bytes = Array(bytes.prefix(index(bytes.count + 1)))
        case 3:
            // Extended with random bytes, or with a piece of itself.
            if Bool.random(using: &random) {
                bytes += (0..<Int.random(in: 1...256, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                let from = index(bytes.count)
                bytes += bytes[from..<min(bytes.count, from + Int.random(in: 1...512, using: &random))]
            }
        case 4:
            // A number or a string of the body replaced by a hostile value.
            let body = String(decoding: bytes.dropFirst(6), as: UTF8.self)
            let pattern = Bool.random(using: &random) ? #"-?[0-9][0-9.eE+-]*"# : #""[^"]*""#
            let matches = (try? NSRegularExpression(pattern: pattern))?.matches(in: body, range: NSRange(body.startIndex..., in: body)) ?? []
            if !matches.isEmpty, let range = Range(matches[index(matches.count)].range, in: body) {
                let splice = splices[index(splices.count)]
                bytes = Array(bytes.prefix(6)) + Array(body.replacingCharacters(in: range, with: splice).utf8)
            }
        case 5:
            // Bytes inserted, deleted or overwritten in the body.
            for _ in 0..<Int.random(in: 1...4, using: &random) where bytes.count > 6 {
                let at = 6 + index(bytes.count - 6)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes.insert(Array("{}[]\",:0-e\\".utf8)[index(11)], at: at)
                case 1: bytes.remove(at: at)
                default: bytes[at] = UInt8.random(in: 0...255, using: &random)
                }
            }
        case 6:
            // The type byte of another message over this body.
            if bytes.count > 5 { bytes[5] = [1, 2, 3, 4, 5, 6, 16, 17, 18, 19, 20, 21, 22, 0, 255][index(15)] }
        case 7:
            // Random bytes behind a valid header.
            bytes = Array(bytes.prefix(6)) + (0..<index(512)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 8:
            // Deep nesting wrapped around the body.
            let depth = Int.random(in: 1...5000, using: &random)
            let open = Bool.random(using: &random) ? "[" : "{\"current\":"
            let close = open == "[" ? "]" : "}"
            bytes = Array(bytes.prefix(6)) + Array(String(repeating: open, count: depth).utf8) + bytes.dropFirst(6)
                + Array(String(repeating: close, count: Int.random(in: 0...depth, using: &random)).utf8)
        default:
            // Random bytes, header and all, of any length up to a few hundred.
            bytes = (0..<index(300)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if Bool.random(using: &random) && bytes.count >= 5 { bytes.replaceSubrange(0..<5, with: WireProtocol.magic + [WireProtocol.version]) }
        }
        // Now and then, past the size limit.
        if iteration % 5000 == 4999 { bytes += [UInt8](repeating: 0x20, count: WireProtocol.maximumFrameBytes) }
        return bytes
    }
}
