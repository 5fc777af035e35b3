import Foundation
import XCTest

@testable import Reports

/// `Report.generate` on a hand-made run with numbers worked out by hand:
///
/// - two folds, test cases A, B, C (fold 0) and D, E (fold 1);
/// - Ours: Dice 0.8, 0.9, 0.7, 0.6, 0.5 -> mean 70 %, deviations 10, 20, 0, -10, -20 pp,
///   sum of squares 1000 pp^2, sample SD sqrt(1000 / 4) = 15.8114 pp; ASSD 1..5 -> 3 +- 1.5811;
/// - MT: Dice 0.75, 0.80, 0.85, 0.40, 0.25 -> mean 61 %, sample SD sqrt(0.287 / 4) = 26.7862 pp;
///   differences to Ours -0.05, -0.10, +0.15, -0.20, -0.25 -> ranks 1..5, T+ = 3, T- = 12,
///   p = 2 * 5/32 = 0.3125 (exact);
/// - FS-LCS: fold 0 completed with case C's prediction empty (ASSD undefined), fold 1 failed;
/// - UA-MT: fold 0 failed for good (failures.jsonl), fold 1 missing although results.jsonl lists it;
/// - FS-Dense: fold 0 completed, fold 1 missing.
final class ReportGenerationTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws {
        fixture = try RunFixture()
        let f = fixture!
        try f.write("experiment.resolved.yaml", "name: hand-made\nfolds: 2\n")
        try f.writeFolds([["A", "B", "C"], ["D", "E"]])
        try f.writeJobs([("ours", 0), ("ours", 1), ("mt", 0), ("mt", 1), ("fs-lcs", 0), ("fs-lcs", 1),
                         ("ua-mt", 0), ("ua-mt", 1), ("fs-dense", 0), ("fs-dense", 1)])
        try f.writeMetrics("ours", fold: 0, cases: [
            RunFixture.row("A", dice: 0.8, assd: 1, ravd: -0.1), RunFixture.row("B", dice: 0.9, assd: 2, ravd: 0.2),
            RunFixture.row("C", dice: 0.7, assd: 3, ravd: 0),
        ], wall: 100, steps: 1000, worker: "node1")
        try f.writeMetrics("ours", fold: 1, cases: [
            RunFixture.row("D", dice: 0.6, assd: 4, ravd: -0.3), RunFixture.row("E", dice: 0.5, assd: 5, ravd: 0.1),
        ], wall: 200, steps: 1000, worker: "node2")
        try f.writeMetrics("mt", fold: 0, cases: [
            RunFixture.row("A", dice: 0.75, assd: 2, ravd: 0.1), RunFixture.row("B", dice: 0.80, assd: 3, ravd: 0.1),
            RunFixture.row("C", dice: 0.85, assd: 1, ravd: 0.1),
        ])
        try f.writeMetrics("mt", fold: 1, cases: [
            RunFixture.row("D", dice: 0.40, assd: 6, ravd: 0.5), RunFixture.row("E", dice: 0.25, assd: 7, ravd: 0.6),
        ])
        try f.writeMetrics("fs-lcs", fold: 0, cases: [
            RunFixture.row("A", dice: 0.5, assd: 4, ravd: 0.3), RunFixture.row("B", dice: 0.6, assd: 5, ravd: 0.2),
            RunFixture.row("C", dice: 0, iou: 0, assd: nil, ravd: -1, flags: ["empty_prediction"]),
        ])
        try f.writeMetrics("fs-lcs", fold: 1, cases: [], status: "failed", reasons: ["attempt 1: out of memory"])
        try f.write("failures.jsonl", #"{"job": "ua-mt/fold0/seed7", "method": "ua-mt", "fold": 0, "seed": 7, "reasons": ["attempt 1: worker lost", "attempt 2: worker lost"]}"# + "\n")
        try f.write("results.jsonl", #"{"job": "ua-mt/fold1/seed7", "method": "ua-mt", "fold": 1, "seed": 7}"# + "\n")
        try f.writeMetrics("fs-dense", fold: 0, cases: [
            RunFixture.row("A", dice: 0.9, assd: 1, ravd: 0), RunFixture.row("B", dice: 0.92, assd: 1, ravd: 0),
            RunFixture.row("C", dice: 0.88, assd: 1, ravd: 0),
        ])
        try f.writeJSON("jobs/ours/fold0/seed7/pseudo_labels.json", pseudoLabels(semi: (80, 10, 10), near: (40, 0, 10)))
        try f.writeJSON("jobs/ours/fold1/seed7/pseudo_labels.json", pseudoLabels(semi: (20, 10, 30), near: (10, 10, 0)))
    }

    override func tearDown() { fixture.remove() }

    private func pseudoLabels(semi: (Int, Int, Int), near: (Int, Int, Int)) -> [String: Any] {
        func counts(_ c: (Int, Int, Int)) -> [String: Int] { ["tp": c.0, "fp": c.1, "fn": c.2] }
        let entry: [String: Any] = ["overall": counts(semi), "by_distance": [counts(near).merging(["distance": 1]) { a, _ in a }]]
        return ["labels": ["y_semi": entry, "y_ssl": entry, "y_final": ["overall": counts((1, 0, 0))]]]
    }

    private func tableRows() throws -> [String: [String: String]] {
        let rows = csvDictionaries(try fixture.read("table.csv")).filter { $0["source"] == "this run" }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["method"]!, $0) })
    }

    func testMeansAndSampleStandardDeviations() throws {
        try Report.generate(runDirectory: fixture.url)
        let rows = try tableRows()
        XCTAssertEqual(Double(rows["ours"]!["dice_pct_mean"]!)!, 70, accuracy: 1e-4)
        XCTAssertEqual(Double(rows["ours"]!["dice_pct_sd"]!)!, 1000.0.squareRoot() / 2, accuracy: 1e-4)
        XCTAssertEqual(Double(rows["ours"]!["assd_mm_mean"]!)!, 3, accuracy: 1e-6)
        XCTAssertEqual(Double(rows["ours"]!["assd_mm_sd"]!)!, 2.5.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(Double(rows["ours"]!["ravd_mean"]!)!, -0.02, accuracy: 1e-9)
        XCTAssertEqual(Double(rows["ours"]!["ravd_abs_mean"]!)!, 0.14, accuracy: 1e-9)
        XCTAssertEqual(Double(rows["mt"]!["dice_pct_mean"]!)!, 61, accuracy: 1e-4)
        XCTAssertEqual(Double(rows["mt"]!["dice_pct_sd"]!)!, 100 * (0.287 / 4).squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(rows["ours"]!["n_cases"], "5")
        XCTAssertEqual(rows["fs-lcs"]!["n_cases"], "3")

        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("| Ours | 70.0 ± 15.8 |"), markdown)
        XCTAssertTrue(markdown.contains("| MT | 61.0 ± 26.8 |"), markdown)
        XCTAssertTrue(markdown.contains("sample standard deviation (divisor n − 1)"))
    }

    func testWilcoxonAgainstOursIsTheHandWorkedValue() throws {
        try Report.generate(runDirectory: fixture.url)
        let mt = try tableRows()["mt"]!
        XCTAssertEqual(Double(mt["p_dice_vs_ours"]!)!, 0.3125, accuracy: 1e-6)
        XCTAssertEqual(mt["n_dice_nonzero_pairs"], "5")
        XCTAssertEqual(mt["test_dice"], "exact")
        // FS-LCS pairs only over fold 0 (fold 1 failed): A, B, C.
        XCTAssertEqual(try tableRows()["fs-lcs"]!["n_dice_nonzero_pairs"], "3")
        XCTAssertEqual(try tableRows()["ours"]!["p_dice_vs_ours"], "NA")
        XCTAssertTrue(try fixture.read("table.md").contains("0.312 (n=5, exact)"))
    }

    func testFailedAndMissingJobsAreNamedNeverDropped() throws {
        let outcome = try Report.generate(runDirectory: fixture.url)
        XCTAssertFalse(outcome.isComplete)
        XCTAssertEqual(outcome.totalJobs, 10)
        XCTAssertEqual(outcome.completedJobs, 6)
        XCTAssertTrue(outcome.problems.contains("job fs-lcs/fold1/seed7 failed: attempt 1: out of memory"), "\(outcome.problems)")
        XCTAssertTrue(outcome.problems.contains("job ua-mt/fold0/seed7 failed: attempt 1: worker lost; attempt 2: worker lost"))
        XCTAssertTrue(outcome.problems.contains("job fs-dense/fold1/seed7 is missing (no metrics.json)"))
        XCTAssertTrue(outcome.notes.contains { $0.contains("ua-mt/fold1/seed7") && $0.contains("results.jsonl") })

        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("partial run: 6 of 10 jobs completed"))
        XCTAssertTrue(markdown.contains("**1/2**: fold 1 seed 7 FAILED"))
        XCTAssertTrue(markdown.contains("**0/2**: fold 0 seed 7 FAILED, fold 1 seed 7 MISSING"), markdown)
        XCTAssertTrue(markdown.contains("- `ua-mt/fold1/seed7`"))
        let rows = try tableRows()
        XCTAssertEqual(rows["ua-mt"]!["n_cases"], "0")
        XCTAssertEqual(rows["ua-mt"]!["jobs_failed"], "fold0/seed7")
        XCTAssertEqual(rows["ua-mt"]!["jobs_missing"], "fold1/seed7")
        XCTAssertEqual(rows["ua-mt"]!["dice_pct_mean"], "NA")
    }

    func testUndefinedMetricsAreCountedPerColumn() throws {
        try Report.generate(runDirectory: fixture.url)
        let fsLCS = try tableRows()["fs-lcs"]!
        XCTAssertEqual(fsLCS["assd_undefined"], "1")
        XCTAssertEqual(fsLCS["dice_undefined"], "0")
        XCTAssertEqual(Double(fsLCS["assd_mm_mean"]!)!, 4.5, accuracy: 1e-9)  // (4 + 5) / 2
        XCTAssertEqual(Double(fsLCS["dice_pct_mean"]!)!, 110.0 / 3, accuracy: 1e-4)
        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("4.50 ± 0.71 (1 undefined)"))
        XCTAssertTrue(markdown.contains("- FS-LCS: 1 case × seed pair(s) empty_prediction\n"), markdown)
        let caseC = csvDictionaries(try fixture.read("cases.csv")).first { $0["method"] == "fs-lcs" && $0["case"] == "C" }!
        XCTAssertEqual(caseC["assd_mm"], "NA")
        XCTAssertEqual(caseC["hd95_mm"], "NA")
        XCTAssertEqual(caseC["dice_fraction"], "0.0")
        XCTAssertEqual(caseC["ravd_abs"], "1.0")
        XCTAssertEqual(caseC["flags"], "empty_prediction")
    }

    func testCasesCSVHasOneRowPerMethodFoldAndCase() throws {
        try Report.generate(runDirectory: fixture.url)
        let rows = csvDictionaries(try fixture.read("cases.csv"))
        XCTAssertEqual(rows.count, 5 + 5 + 3 + 3)
        let mtD = rows.first { $0["method"] == "mt" && $0["case"] == "D" }!
        XCTAssertEqual(mtD["fold"], "1")
        XCTAssertEqual(mtD["dice_fraction"], "0.4")
        XCTAssertEqual(mtD["assd_mm"], "6.0")
        XCTAssertEqual(mtD["site"], "S1")
    }

    func testReferenceRowAndPaperTableAreMarked() throws {
        try Report.generate(runDirectory: fixture.url)
        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("| *FS-Dense upper bound (reference); reads all training masks* | 90.0 ± 2.0 |"), markdown)
        XCTAssertTrue(markdown.contains("## The paper's Table 1 (published numbers, PROMISE12; not this run)"))
        XCTAssertTrue(markdown.contains("| Ours | 81.0 ± 6.8 | 68.6 ± 8.9 | 2.35 ± 1 | 0.08 ± 0.22 |"))
        let paper = csvDictionaries(try fixture.read("table.csv")).filter { $0["source"] == "paper (PROMISE12)" }
        XCTAssertEqual(paper.count, 6)
        XCTAssertEqual(paper.first { $0["method"] == "dct-seg" }?["assd_mm_mean"], "8.06")
        XCTAssertEqual(try tableRows()["fs-dense"]!["capability"], "reads all training masks")
        XCTAssertEqual(try tableRows()["fs-dense"]!["role"], "reference")
        // The table follows the paper's order, the reference row last.
        let order = ["| FS-LCS |", "| MT |", "| UA-MT |", "| Ours |", "| *FS-Dense"].map { markdown.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())
    }

    func testPseudoLabelQualityIsPooledOverFolds() throws {
        try Report.generate(runDirectory: fixture.url)
        let markdown = try fixture.read("table.md")
        // y_SEMI pooled: TP 100, FP 20, FN 40 -> Dice 200/260, precision 100/120, recall 100/140.
        XCTAssertTrue(markdown.contains("| y_SEMI | 76.9 | 83.3 | 71.4 | 140 |"), markdown)
        // Distance 1 pooled: TP 50, FP 10, FN 10 -> Dice 100/120, precision and recall 50/60.
        XCTAssertTrue(markdown.contains("| 1 | 83.3 / 83.3 / 83.3 | 83.3 / 83.3 / 83.3 | n/a |"), markdown)
        XCTAssertTrue(markdown.contains("| y_final | 100.0 | 100.0 | 100.0 | 2 |"))
    }

    func testTimingPerJob() throws {
        try Report.generate(runDirectory: fixture.url)
        let rows = csvDictionaries(try fixture.read("timing.csv"))
        XCTAssertEqual(rows.count, 10)
        let ours1 = rows.first { $0["job"] == "ours/fold1/seed7" }!
        XCTAssertEqual(ours1["wall_seconds"], "200.0")
        XCTAssertEqual(ours1["steps"], "1000")
        XCTAssertEqual(ours1["steps_per_second"], "5.0")
        XCTAssertEqual(ours1["worker"], "node2")
        XCTAssertEqual(rows.first { $0["job"] == "fs-dense/fold1/seed7" }?["status"], "missing")
        XCTAssertEqual(rows.first { $0["job"] == "fs-lcs/fold1/seed7" }?["status"], "failed")
        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("| ours/fold0/seed7 | completed | 100.0 s | 1000 | 10.00 | node1 |"))
        // Per method: Ours took 100 s and 200 s at 10 and 5 steps/s.
        XCTAssertTrue(markdown.contains("| Ours | 2 | 2.5 min | 5.0 min | 7.50 |"), markdown)
    }

    func testProvenanceIsCopiedVerbatim() throws {
        try Report.generate(runDirectory: fixture.url)
        XCTAssertTrue(try fixture.read("table.md").contains("```yaml\nname: hand-made\nfolds: 2\n```"))
    }

    func testMalformedMetricsNameFileAndFieldAndWriteNothing() throws {
        try fixture.writeMetrics("mt", fold: 1, cases: [RunFixture.row("D", dice: 40, assd: 6, ravd: 0.5)])
        XCTAssertThrowsError(try Report.generate(runDirectory: fixture.url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("jobs/mt/fold1/seed7/metrics.json: cases[0].dice: 40.0 is outside [0, 1]"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("table.md").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("table.csv").path))
    }

    func testARunWithoutJobListStillReportsWhatItFinds() throws {
        try FileManager.default.removeItem(at: fixture.path("jobs.json"))
        let outcome = try Report.generate(runDirectory: fixture.url)
        XCTAssertTrue(outcome.notes.contains { $0.contains("jobs.json is missing") })
        // Found on disk: 2 ours, 2 mt, 2 fs-lcs, 1 fs-dense; and ua-mt fold 0 from failures.jsonl.
        XCTAssertEqual(outcome.totalJobs, 8)
        XCTAssertEqual(outcome.completedJobs, 6)
    }
}
