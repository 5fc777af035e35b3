import AtomicFiles
import Foundation
import XCTest

@testable import Reports

/// Outputs replace old ones whole, and no temporary file is left behind.
final class AtomicWriteTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws { fixture = try RunFixture() }
    override func tearDown() { fixture.remove() }

    private func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.url.path).filter { $0.contains(".tmp") }
    }

    func testReportLeavesNoTemporaryFilesAndReplacesOldOutputs() throws {
        try fixture.write("table.md", String(repeating: "old content that is longer than the new table\n", count: 2000))
        try fixture.writeMetrics("ours", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0)])
        try fixture.writeFigureSlices("ours", fold: 0, size: 16, cases: [("A", 3, (4, 4, 6), (5, 5, 6))])
        let outcome = try Report.generate(runDirectory: fixture.url)
        XCTAssertEqual(outcome.written.map(\.lastPathComponent), ["table.md", "table.csv", "cases.csv", "timing.csv", "index.html", "figure.png"])
        XCTAssertEqual(try leftovers(), [])
        let table = try fixture.read("table.md")
        XCTAssertTrue(table.hasPrefix("# Table 1 of this run"))
        XCTAssertFalse(table.contains("old content"))

        // Without figure slices any more, the old figure goes rather than stand beside new tables.
        try FileManager.default.removeItem(at: fixture.path("jobs/ours/fold0/seed7/figure_slices.h5"))
        XCTAssertEqual(try Report.generate(runDirectory: fixture.url).written.count, 5)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("figure.png").path))
    }

    func testFailedWriteRemovesItsTemporaryFileAndKeepsTheOldFile() throws {
        let target = fixture.path("out.txt")
        try AtomicFile.write(Data("first".utf8), to: target)
        XCTAssertEqual(try fixture.read("out.txt"), "first")
        // A directory in the way makes the rename fail after the temporary file was written.
        let blocked = fixture.path("blocked")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("child"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("second".utf8), to: blocked)) { error in
            XCTAssertTrue("\(error)".contains("cannot rename"), "\(error)")
        }
        XCTAssertEqual(try leftovers(), [])
        XCTAssertEqual(try fixture.read("out.txt"), "first")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: fixture.path("no/such/dir/file.txt")))
        XCTAssertEqual(try leftovers(), [])
    }

    func testBadInputLeavesEarlierReportUntouched() throws {
        try fixture.writeMetrics("ours", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0)])
        try Report.generate(runDirectory: fixture.url)
        let before = try fixture.read("table.md")
        try fixture.write("jobs/mt/fold0/seed7/metrics.json", "{}")
        XCTAssertThrowsError(try Report.generate(runDirectory: fixture.url))
        XCTAssertEqual(try fixture.read("table.md"), before)
        XCTAssertEqual(try leftovers(), [])
    }
}
