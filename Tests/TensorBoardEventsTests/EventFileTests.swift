import Foundation
import SharedTestSupport
@testable import TensorBoardEvents
import XCTest

/// The event files are what TensorBoard itself reads back: its EventAccumulator (installed by
/// `make test-deps`) is the oracle for the framing, the CRCs and the protocol buffers.
final class EventFileTests: XCTestCase {
    func testCRC32CIsTheCastagnoliCheckValue() {
        XCTAssertEqual(EventFile.crc32c(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(EventFile.crc32c([]), 0)
        // Masking rotates right by 15 and adds 0xa282ead8.
        let crc = EventFile.crc32c(Array("123456789".utf8))
        XCTAssertEqual(EventFile.maskedCRC32C(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    func testTheFramingOfOneRecord() {
        var bytes: [UInt8] = []
        EventFile.frame([1, 2, 3], into: &bytes)
        XCTAssertEqual(bytes.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(bytes[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[12..<15]), [1, 2, 3])
        let crc = EventFile.maskedCRC32C([1, 2, 3])
        XCTAssertEqual(Array(bytes[15..<19]), [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)])
    }

    func testTensorBoardReadsTheScalarsBack() throws {
        guard let python = which("python3") else { try skipUnlessCI("python3 is not installed: the TensorBoard check did not run") }
        guard try runProgram(python, ["-c", "import tensorboard"]).status == 0 else {
            try skipUnlessCI("tensorboard is not installed for python3 (make test-deps): the TensorBoard check did not run")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let records = [
            EventFile.Record(step: 1, wallTime: 0, values: [("train/loss", 1.25), ("train/learning_rate", 1e-4)]),
            EventFile.Record(step: 2, wallTime: 0.5, values: [("train/loss", 0.1), ("train/learning_rate", 1e-4)]),
            EventFile.Record(step: 2, wallTime: 0.5, values: [("validation/dice", -0)]),
            EventFile.Record(step: 1 << 40, wallTime: 1_700_000_000.25, values: [("train/loss", 3e-38), ("validation/dice", 0.875)]),
        ]
        try Data(EventFile.encode(records)).write(to: directory.appendingPathComponent("events.out.tfevents.0.test"))
        let script = """
            import sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
            acc.Reload()
            for tag in sorted(acc.Tags()["scalars"]):
                for e in acc.Scalars(tag):
                    print("S", tag, e.step, repr(e.value), repr(e.wall_time))
            """
        let result = try runProgram(python, ["-c", script, directory.path])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("S ") }.map(String.init)
        let expected = records.flatMap { record in record.values.map { (tag: $0.tag, step: record.step, value: $0.value, wall: record.wallTime) } }
            .enumerated().sorted { ($0.element.tag, $0.offset) < ($1.element.tag, $1.offset) }.map(\.element)
            .map { "S \($0.tag) \($0.step) \(Double($0.value)) \($0.wall)" }
        XCTAssertEqual(lines, expected, result.output)
    }
}
