import Foundation
import XCTest

@testable import Reports

/// Reading run directories: the contract of docs/run-directory.md, and errors that name the
/// file and the field at fault.
final class RunDirectoryTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws { fixture = try RunFixture() }
    override func tearDown() { fixture.remove() }

    private func loadError() -> String {
        do {
            _ = try RunDirectory.load(fixture.url)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testCaseRowsKeepNullsAndDeriveAbsoluteRAVD() throws {
        try fixture.writeJSON("jobs/ours/fold0/seed7/metrics.json", [
            "method": "ours", "fold": 0, "status": "completed",
            "cases": [["case": "A", "dice": 0.5, "iou": NSNull(), "assd": NSNull(), "ravd": -0.25, "flags": ["empty_reference"]]],
        ])
        let run = try RunDirectory.load(fixture.url)
        let row = try XCTUnwrap(run.jobs.first?.metrics?.cases.first)
        XCTAssertEqual(row.value(.dice), 0.5)
        XCTAssertNil(row.value(.iou))
        XCTAssertNil(row.value(.assd))
        XCTAssertNil(row.value(.hd95))
        XCTAssertEqual(row.value(.ravdAbs), 0.25)
        XCTAssertEqual(row.flags, ["empty_reference"])
        XCTAssertNil(row.site)
        XCTAssertEqual(run.jobs.first?.metrics?.timing, JobTiming())
        XCTAssertTrue(run.notes.contains { $0.contains("experiment.resolved.yaml is missing") })
        XCTAssertTrue(run.notes.contains { $0.contains("folds.json is missing") })
    }

    func testMissingRequiredMetricIsNamed() throws {
        try fixture.writeJSON("jobs/mt/fold2/seed7/metrics.json", [
            "method": "mt", "fold": 2, "status": "completed", "cases": [["case": "A", "dice": 0.5, "iou": 0.3, "ravd": 0]],
        ])
        XCTAssertTrue(loadError().hasSuffix("jobs/mt/fold2/seed7/metrics.json: cases[0].assd: required key is missing"), loadError())
    }

    func testWrongTypesAndValuesAreNamed() throws {
        try fixture.writeJSON("jobs/mt/fold0/seed7/metrics.json", ["method": "mt", "fold": "zero", "status": "completed", "cases": []])
        XCTAssertTrue(loadError().hasSuffix("jobs/mt/fold0/seed7/metrics.json: fold: expected an integer"), loadError())
        try fixture.writeJSON("jobs/mt/fold0/seed7/metrics.json", ["method": "mt", "fold": 0, "status": "done", "cases": []])
        XCTAssertTrue(loadError().contains("status: \"done\" is not \"completed\" or \"failed\""), loadError())
        try fixture.writeJSON("jobs/mt/fold0/seed7/metrics.json", ["method": "ict", "fold": 0, "status": "completed", "cases": []])
        XCTAssertTrue(loadError().contains("method: \"ict\" does not match its directory \"mt\""), loadError())
        try fixture.write("jobs/mt/fold0/seed7/metrics.json", "{\"method\": \"mt\", ")
        XCTAssertTrue(loadError().hasSuffix("jobs/mt/fold0/seed7/metrics.json: not valid JSON"), loadError())
        try fixture.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: -1, ravd: 0)])
        XCTAssertTrue(loadError().contains("cases[0].assd: -1.0 is negative"), loadError())
        try fixture.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0), RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0)])
        XCTAssertTrue(loadError().contains("case \"A\" appears twice"), loadError())
    }

    func testRunnerFilesAreCheckedLineByLine() throws {
        try fixture.write("failures.jsonl", "{\"job\": \"mt/fold0/seed7\", \"method\": \"mt\", \"fold\": 0, \"seed\": 7}\n\n{\"job\": \"mt/fold1/seed7\", \"fold\": 1}\n")
        XCTAssertTrue(loadError().hasSuffix("failures.jsonl: line 3: method: required key is missing"), loadError())
    }

    func testJobListDuplicatesAndUnlistedJobs() throws {
        try fixture.writeJobs([("mt", 0), ("mt", 0)])
        XCTAssertTrue(loadError().contains("jobs.json: jobs[1].id: job \"mt/fold0/seed7\" appears twice"), loadError())
        try fixture.writeJobs([("mt", 0)])
        try fixture.writeMetrics("ict", fold: 3, cases: [])
        let run = try RunDirectory.load(fixture.url)
        XCTAssertEqual(run.jobs.map(\.job.id), ["mt/fold0/seed7", "ict/fold3/seed7"])
        XCTAssertEqual(run.jobs.map(\.expected), [true, false])
        XCTAssertEqual(run.jobs[0].state, .missing)
        XCTAssertTrue(run.notes.contains("job ict/fold3/seed7 is not listed in jobs.json but has results; it is reported"))
    }

    func testUnscoredAndUnexpectedCasesAreNoted() throws {
        try fixture.writeFolds([["A", "B"]])
        try fixture.writeMetrics("ours", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0), RunFixture.row("Z", dice: 0.5, assd: 1, ravd: 0)])
        let notes = try RunDirectory.load(fixture.url).notes
        XCTAssertTrue(notes.contains("job ours/fold0/seed7 did not score test case(s) B of fold 0"), "\(notes)")
        XCTAssertTrue(notes.contains { $0.contains("scored case(s) Z that folds.json does not list") })
    }

    func testACompletedResultWinsOverAnOldFailureRecord() throws {
        try fixture.write("failures.jsonl", "{\"job\": \"mt/fold0/seed7\", \"method\": \"mt\", \"fold\": 0, \"seed\": 7, \"reasons\": [\"lost\"]}\n")
        try fixture.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0)])
        XCTAssertNotNil(try RunDirectory.load(fixture.url).jobs.first?.metrics)
    }

    /// An empty directory, or one that holds other things, used to be reported as a run of
    /// 0 jobs, with tables written into it.
    func testADirectoryWithoutAnyRunFileIsNotARunDirectory() throws {
        let expected = "\(fixture.url.path): not a run directory: it has none of experiment.resolved.yaml, jobs.json, jobs/, results.jsonl, failures.jsonl"
        XCTAssertEqual(loadError(), expected)
        try fixture.write("notes.txt", "not a run\n")
        XCTAssertEqual(loadError(), expected)
        XCTAssertThrowsError(try Report.generate(runDirectory: fixture.url))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fixture.url.path), ["notes.txt"], "nothing written")

        // Any one of them will do: a run that has only started has only some.
        try FileManager.default.createDirectory(at: fixture.path("jobs"), withIntermediateDirectories: true)
        XCTAssertEqual(try RunDirectory.load(fixture.url).jobs, [])
    }

    func testNotADirectory() {
        XCTAssertThrowsError(try RunDirectory.load(fixture.url.appendingPathComponent("nope"))) { error in
            XCTAssertTrue("\(error)".hasSuffix("nope: not a run directory (no such directory)"))
        }
    }

    func testPseudoLabelFileErrors() throws {
        try fixture.writeMetrics("ours", fold: 0, cases: [])
        let entry: [String: Any] = ["overall": ["tp": 1, "fp": 0, "fn": -2]]
        try fixture.writeJSON("jobs/ours/fold0/seed7/pseudo_labels.json", ["labels": ["y_semi": entry, "y_ssl": entry, "y_final": entry]])
        let run = try RunDirectory.load(fixture.url)
        XCTAssertThrowsError(try PseudoLabelSummary.load(run, method: "ours")) { error in
            XCTAssertTrue("\(error)".hasSuffix("pseudo_labels.json: labels.y_semi.overall.fn: a voxel count cannot be negative (-2)"), "\(error)")
        }
        try fixture.writeJSON("jobs/ours/fold0/seed7/pseudo_labels.json", ["labels": ["y_semi": ["overall": ["tp": 1, "fp": 0, "fn": 0]]]])
        XCTAssertThrowsError(try PseudoLabelSummary.load(run, method: "ours")) { error in
            XCTAssertTrue("\(error)".hasSuffix("labels.y_ssl: required key is missing"), "\(error)")
        }
    }
}
