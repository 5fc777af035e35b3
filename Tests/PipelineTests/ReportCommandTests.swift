import Foundation
import XCTest

/// `sparseseg report RUN_DIR` as a user runs it.
final class ReportCommandTests: XCTestCase {
    /// An empty directory (a mistyped path that happens to exist) used to "succeed" with a
    /// report of 0 jobs written into it.
    func testAnEmptyDirectoryIsRefusedWithOneLineAndNothingWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let (status, output) = try runToCompletion(SmokeRunTests.executable, ["report", directory.path], timeout: .seconds(60))
        XCTAssertEqual(status, 1, output)
        XCTAssertEqual(output.split(separator: "\n"),
                       ["Error: \(directory.path): not a run directory: it has none of experiment.resolved.yaml, jobs.json, jobs/, results.jsonl, failures.jsonl"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "nothing written")
    }
}
