import Foundation
import XCTest

@testable import Reports

/// A report over two seeds, with numbers worked out by hand:
///
/// - one fold, test cases A and B, seeds 0 and 1;
/// - Ours: Dice A 0.8 / 0.6, B 0.6 / 0.8 (seed 0 / seed 1) -> pooled A 0.7, B 0.7: 70.0 ± 0.0,
///   per-seed means 0.7 and 0.7, SD between seeds 0;
/// - MT: Dice A 0.5 / 0.2, B 0.7 / 0.6 -> pooled A 0.35, B 0.65: mean 50.0, SD
///   sqrt(2 * 0.15^2) = 21.2 pp; per-seed means 0.6 and 0.4, SD between seeds sqrt(2 * 0.1^2)
///   = 14.1 pp; pooled differences to Ours -0.35, -0.05: n = 2, both negative, exact p = 0.5
///   (the four raw case-seed pairs would give -0.3, -0.1... a different test);
/// - MT's ASSD: A 2 / 4, B 4 / undefined (empty prediction) -> pooled A 3, B 4: 3.50, with 1
///   undefined case-seed pair;
/// - MT's volume off the gland slices: A 2 / 6, B 4 / 8 mL -> pooled 4 and 6: 5.00 ± 1.41.
final class SeedPoolingTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws {
        fixture = try RunFixture()
        let f = fixture!
        try f.write("experiment.resolved.yaml", "name: seeds\nseeds: [0, 1]\n")
        try f.writeFolds([["A", "B"]])
        try f.writeJobs([("ours", 0), ("mt", 0)], seeds: [0, 1])
        func row(_ id: String, dice: Double, assd: Double?, falsePositive: Double, flags: [String] = []) -> [String: Any] {
            RunFixture.row(id, dice: dice, assd: assd, ravd: 0.1, flags: flags)
                .merging(["dice_gland_slices": dice, "fp_ml_gland_free": falsePositive]) { _, new in new }
        }
        try f.writeMetrics("ours", fold: 0, seed: 0, cases: [row("A", dice: 0.8, assd: 1, falsePositive: 0), row("B", dice: 0.6, assd: 1, falsePositive: 0)])
        try f.writeMetrics("ours", fold: 0, seed: 1, cases: [row("A", dice: 0.6, assd: 1, falsePositive: 0), row("B", dice: 0.8, assd: 1, falsePositive: 0)])
        try f.writeMetrics("mt", fold: 0, seed: 0, cases: [row("A", dice: 0.5, assd: 2, falsePositive: 2), row("B", dice: 0.7, assd: 4, falsePositive: 4)])
        try f.writeMetrics("mt", fold: 0, seed: 1, cases: [
            row("A", dice: 0.2, assd: 4, falsePositive: 6), row("B", dice: 0.6, assd: nil, falsePositive: 8, flags: ["empty_prediction"]),
        ])
    }

    override func tearDown() { fixture.remove() }

    private func tableRows() throws -> [String: [String: String]] {
        let rows = csvDictionaries(try fixture.read("table.csv")).filter { $0["source"] == "this run" }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["method"]!, $0) })
    }

    func testCasesArePooledOverSeedsBeforeTheMeanAndSD() throws {
        try Report.generate(runDirectory: fixture.url)
        let mt = try tableRows()["mt"]!
        XCTAssertEqual(mt["n_cases"], "4", "case x seed pairs")
        XCTAssertEqual(mt["n_seeds"], "2")
        XCTAssertEqual(mt["jobs_completed"], "fold0/seed0;fold0/seed1")
        XCTAssertEqual(Double(mt["dice_pct_mean"]!)!, 50, accuracy: 1e-9)
        XCTAssertEqual(Double(mt["dice_pct_sd"]!)!, 100 * (2 * 0.15 * 0.15).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(Double(mt["assd_mm_mean"]!)!, 3.5, accuracy: 1e-9)
        XCTAssertEqual(mt["assd_undefined"], "1")
        let ours = try tableRows()["ours"]!
        XCTAssertEqual(Double(ours["dice_pct_sd"]!)!, 0, accuracy: 1e-9)
    }

    func testTheSpreadBetweenSeedsIsItsOwnColumn() throws {
        try Report.generate(runDirectory: fixture.url)
        let rows = try tableRows()
        XCTAssertEqual(Double(rows["mt"]!["dice_pct_sd_between_seeds"]!)!, 100 * (2 * 0.1 * 0.1).squareRoot(), accuracy: 1e-4)
        XCTAssertEqual(Double(rows["ours"]!["dice_pct_sd_between_seeds"]!)!, 0, accuracy: 1e-9)
        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("| MT | 50.0 ± 21.2 |"), markdown)
        XCTAssertTrue(markdown.contains("| 14.1 (2 seeds) | 4 | 2/2 |"), markdown)
    }

    func testWilcoxonPairsCasesAveragedOverSeeds() throws {
        try Report.generate(runDirectory: fixture.url)
        let mt = try tableRows()["mt"]!
        XCTAssertEqual(mt["n_dice_nonzero_pairs"], "2")
        XCTAssertEqual(Double(mt["p_dice_vs_ours"]!)!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(mt["test_dice"], "exact")
    }

    func testCasesCSVKeepsOneRowPerCaseAndSeed() throws {
        try Report.generate(runDirectory: fixture.url)
        let rows = csvDictionaries(try fixture.read("cases.csv")).filter { $0["method"] == "mt" }
        XCTAssertEqual(rows.map { "\($0["case"]!)/\($0["seed"]!)" }, ["A/0", "B/0", "A/1", "B/1"])
        XCTAssertEqual(rows.map { $0["dice_fraction"]! }, ["0.5", "0.7", "0.2", "0.6"])
        XCTAssertEqual(rows.map { $0["fp_ml_gland_free"]! }, ["2.0", "4.0", "6.0", "8.0"])
    }

    func testOverSegmentationDiagnosticsArePooledLikeTheTable() throws {
        try Report.generate(runDirectory: fixture.url)
        let mt = try tableRows()["mt"]!
        XCTAssertEqual(Double(mt["fp_ml_gland_free_mean"]!)!, 5, accuracy: 1e-9)
        XCTAssertEqual(Double(mt["dice_gland_slices_pct_mean"]!)!, 50, accuracy: 1e-9)
        let markdown = try fixture.read("table.md")
        XCTAssertTrue(markdown.contains("## Where the errors are: gland slices and gland-free slices"), markdown)
        XCTAssertTrue(markdown.contains("| MT | 50.0 ± 21.2 | 5.00 ± 1.41 | 50.0 ± 21.2 |"), markdown)
    }

    func testAFailedSeedIsNamedWithItsFold() throws {
        try FileManager.default.removeItem(at: fixture.path("jobs/mt/fold0/seed1"))
        try fixture.write("failures.jsonl", #"{"job": "mt/fold0/seed1", "method": "mt", "fold": 0, "seed": 1, "reasons": ["attempt 1: diverged"]}"# + "\n")
        let outcome = try Report.generate(runDirectory: fixture.url)
        XCTAssertTrue(outcome.problems.contains("job mt/fold0/seed1 failed: attempt 1: diverged"), "\(outcome.problems)")
        XCTAssertTrue(try fixture.read("table.md").contains("**1/2**: fold 0 seed 1 FAILED"))
        let mt = try tableRows()["mt"]!
        XCTAssertEqual(mt["n_cases"], "2")
        XCTAssertEqual(mt["n_seeds"], "1")
        XCTAssertEqual(mt["dice_pct_sd_between_seeds"], "NA")
    }
}
