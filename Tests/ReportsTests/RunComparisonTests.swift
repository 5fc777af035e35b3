import Foundation
import XCTest

@testable import Reports

/// `RunComparison` on two hand-made runs with the same split:
///
/// - fold 0 tests A, B, C; run A has one seed, run B two;
/// - MT in run A: Dice A 0.5, B 0.625, C 0.75; in run B seeds 0 / 1: A 0.625 / 0.875, B 0.75 /
///   0.75, C 1 / 1 -> pooled B: 0.75, 0.75, 1; differences +0.25, +0.125, +0.25 (exact in
///   binary) -> mean +0.2083, n = 3 all positive with a tie, so the normal approximation:
///   T+ = 6, mean 3, tie-corrected variance
///   (3*4*7/24 - (2^3 - 2)/48) = 3.375, z = (6 - 3 - 0.5) / sqrt(3.375), p = 2 (1 - Phi(z)) = 0.1736;
/// - fs-lcs only in run A, ict only in run B.
final class RunComparisonTests: XCTestCase {
    var a: RunFixture!, b: RunFixture!

    override func setUpWithError() throws {
        a = try RunFixture()
        b = try RunFixture()
        for run in [a!, b!] { try run.writeFolds([["A", "B", "C"]]) }
        try a.writeJobs([("mt", 0), ("fs-lcs", 0)], seeds: [0])
        try b.writeJobs([("mt", 0), ("ict", 0)], seeds: [0, 1])
        func rows(_ dice: [Double]) -> [[String: Any]] { zip(["A", "B", "C"], dice).map { RunFixture.row($0, dice: $1, assd: 1, ravd: 0) } }
        try a.writeMetrics("mt", fold: 0, seed: 0, cases: rows([0.5, 0.625, 0.75]))
        try a.writeMetrics("fs-lcs", fold: 0, seed: 0, cases: rows([0.1, 0.1, 0.1]))
        try b.writeMetrics("mt", fold: 0, seed: 0, cases: rows([0.625, 0.75, 1]))
        try b.writeMetrics("mt", fold: 0, seed: 1, cases: rows([0.875, 0.75, 1]))
        try b.writeMetrics("ict", fold: 0, seed: 0, cases: rows([0.2, 0.2, 0.2]))
    }

    override func tearDown() {
        a.remove()
        b.remove()
    }

    func testPairsCasesAveragedOverSeedsAndTestsTheDifferences() throws {
        let comparison = try RunComparison.compare(a.url, b.url)
        XCTAssertEqual(comparison.methods.map(\.method), ["mt"])
        XCTAssertEqual(comparison.onlyA, ["fs-lcs"])
        XCTAssertEqual(comparison.onlyB, ["ict"])
        let dice = try XCTUnwrap(comparison.methods.first?.metrics[.dice])
        XCTAssertEqual(dice.pairs, 3)
        XCTAssertEqual(dice.meanA!, 0.625, accuracy: 1e-12)
        XCTAssertEqual(dice.meanB!, 2.5 / 3, accuracy: 1e-12)
        XCTAssertEqual(dice.meanDifference!, 0.625 / 3, accuracy: 1e-12)
        XCTAssertEqual(dice.test.nonZero, 3)
        XCTAssertEqual(dice.test.pValue!, 0.17361, accuracy: 1e-4)
        // ASSD is 1 everywhere: no non-zero difference, no test.
        XCTAssertNil(comparison.methods[0].metrics[.assd]?.test.pValue)

        XCTAssertTrue(comparison.text.contains("| MT | 62.5 | 83.3 | 20.8 | 3 | 0.174 (n=3) |"), comparison.text)
        XCTAssertTrue(comparison.text.contains("Only in A: fs-lcs"), comparison.text)
        let csv = csvDictionaries(comparison.csv).filter { $0["metric"] == "dice" }
        XCTAssertEqual(csv.map { $0["case"]! }, ["A", "B", "C"])
        XCTAssertEqual(csv.map { Double($0["b"]!)! }, [0.75, 0.75, 1])
        let json = try JSONSerialization.jsonObject(with: comparison.json()) as? [String: Any]
        let mt = (json?["methods"] as? [String: Any])?["mt"] as? [String: Any]
        XCTAssertEqual((mt?["dice"] as? [String: Any])?["pairs"] as? Int, 3)
    }

    /// Run A's MT (0.5, 0.625, 0.75) against its own FS-LCS (0.1 each): differences -0.4,
    /// -0.525, -0.65, all negative and untied -> exact p = 2 / 2^3 = 0.25.
    func testPairsTwoMethodsOfOneRun() throws {
        let comparison = try RunComparison.compare(a.url, a.url, pairs: [(a: "mt", b: "fs-lcs")])
        XCTAssertEqual(comparison.methods.map(\.name), ["mt:fs-lcs"])
        XCTAssertEqual(comparison.onlyA, [])
        let dice = try XCTUnwrap(comparison.methods.first?.metrics[.dice])
        XCTAssertEqual(dice.pairs, 3)
        XCTAssertEqual(dice.meanDifference!, -1.575 / 3, accuracy: 1e-12)
        XCTAssertEqual(dice.test.pValue!, 0.25, accuracy: 1e-12)
        XCTAssertTrue(comparison.text.contains("| MT (A) vs FS-LCS (B) | 62.5 | 10.0 | -52.5 | 3 | 0.25"), comparison.text)
        XCTAssertEqual(Set(csvDictionaries(comparison.csv).map { $0["method"]! }), ["mt:fs-lcs"])
        XCTAssertThrowsError(try RunComparison.compare(a.url, b.url, pairs: [(a: "mt", b: "fs-lcs")])) { error in
            XCTAssertTrue("\(error)".contains("pair: no method 'fs-lcs' in this run (its methods: ict, mt)"), "\(error)")
        }
    }

    func testRunsWithAnotherSplitAreRefused() throws {
        try b.writeFolds([["A", "B", "D"]])
        XCTAssertThrowsError(try RunComparison.compare(a.url, b.url)) { error in
            XCTAssertTrue("\(error)".contains("folds.json: folds[0]: tests other cases than"), "\(error)")
        }
    }
}
