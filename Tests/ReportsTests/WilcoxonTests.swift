import XCTest

@testable import Reports

/// The signed-rank test against a hand-worked case and against scipy.stats.wilcoxon
/// (benchmarks/reports/wilcoxon_scipy_reference.py, scipy 1.17.1, run once; its output is below).
final class WilcoxonTests: XCTestCase {
    /// Differences 1, 2, -3, 4, 5: ranks 1..5, T+ = 12, T- = 3. Of the 32 equally likely sign
    /// patterns, 5 have T- <= 3 ({}, {1}, {2}, {3}, {1,2}), so p = 2 * 5/32 = 0.3125.
    func testHandWorkedExactCase() {
        let result = WilcoxonResult.test(differences: [1, 2, -3, 4, 5])
        XCTAssertEqual(result.method, .exact)
        XCTAssertEqual(result.rankSumPositive, 12)
        XCTAssertEqual(result.rankSumNegative, 3)
        XCTAssertEqual(result.nonZero, 5)
        XCTAssertEqual(result.pValue!, 0.3125, accuracy: 1e-15)
    }

    /// All signs positive with n = 6: only one pattern of 64 is as extreme on each side.
    func testAllPositiveSmallSample() {
        let result = WilcoxonResult.test([3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1.5])
        XCTAssertEqual(result.pValue!, 2.0 / 64, accuracy: 1e-15)
    }

    func testMatchesScipy() {
        let cases: [(String, [Double], Double)] = [
        ("exact_n10", [0.8, -1.3, 2.1, 0.35, -0.2, 1.7, 2.9, -0.55, 1.05, 0.6], 0.10546875),
        ("exact_n20", [0.51, -0.98, -1.47, -1.96, 2.55, 3.06, 3.57, -3.92, -4.41, -4.9, 5.61, 6.12, 6.63, -6.86, -7.35, -7.84, 8.67, 9.18, 9.69, -9.8], 0.8983173370361328),
        ("exact_zeros_dropped", [0.0, 1.5, -0.25, 0.0, 3.0, 2.0, -0.75, 4.5], 0.15625),
        ("normal_ties_zeros_n30", [-2.0, 1.5, -0.5, 3.0, 1.0, -1.0, 2.5, 0.5, -1.5, 2.0, 0.0, -2.0, 1.5, -0.5, 3.0, 1.0, -1.0, 2.5, 0.5, -1.5, 2.0, 0.0, -2.0, 1.5, -0.5, 3.0, 1.0, -1.0, 2.5, 0.5], 0.0929306323974395),
        ("normal_n60_no_ties", [-2.7, 1.001, -1.398, 2.303, -0.096, -2.495, 1.206, -1.193, 2.508, 0.10900000000000001, -2.29, 1.4109999999999998, -0.988, 2.713, 0.314, -2.085, 1.616, -0.783, 2.9179999999999997, 0.519, -1.88, 1.821, -0.578, 3.123, 0.724, -1.675, 2.026, -0.373, 3.328, 0.929, -1.47, 2.2310000000000003, -0.168, -2.567, 1.1340000000000001, -1.2650000000000001, 2.436, 0.037, -2.362, 1.339, -1.06, 2.641, 0.24200000000000002, -2.157, 1.544, -0.855, 2.8459999999999996, 0.447, -1.952, 1.7489999999999999, -0.6499999999999999, 3.051, 0.652, -1.747, 1.954, -0.445, 3.2560000000000002, 0.8570000000000001, -1.542, 2.1590000000000003], 0.15009573857437694),
        ("normal_small_with_ties", [1.0, 1.0, -2.0, 3.0, 3.0, 3.0, 4.0, -1.0], 0.103876157063085),
        ]
        for (name, differences, expected) in cases {
            let result = WilcoxonResult.test(differences: differences)
            XCTAssertNotNil(result.pValue, name)
            XCTAssertEqual(result.pValue ?? -1, expected, accuracy: 1e-12 * max(1, expected), name)
            XCTAssertEqual(result.method, name.hasPrefix("exact") ? .exact : .normal, name)
        }
    }

    func testZerosAreDroppedAndAllZeroIsUndefined() {
        let withZeros = WilcoxonResult.test(differences: [0, 0, 1, 2, -3, 4, 5])
        XCTAssertEqual(withZeros.pairs, 7)
        XCTAssertEqual(withZeros.nonZero, 5)
        XCTAssertEqual(withZeros.pValue!, 0.3125, accuracy: 1e-15)
        let allZero = WilcoxonResult.test([1, 2], [1, 2])
        XCTAssertNil(allZero.pValue)
        XCTAssertEqual(allZero.nonZero, 0)
    }

    /// The exact distribution's tail sums to 1 when the statistic sits at either extreme of n=50.
    func testExactDistributionAtTheLimit() {
        XCTAssertEqual(WilcoxonResult.exactTwoSided(n: 50, rankSum: 0), 2 / pow(2, 50), accuracy: 1e-30)
        XCTAssertEqual(WilcoxonResult.exactTwoSided(n: 50, rankSum: 50 * 51 / 4), 1)
        let sixtyPairs = WilcoxonResult.test(differences: (1...60).map { Double($0) * ($0 % 3 == 0 ? -1 : 1) })
        XCTAssertEqual(sixtyPairs.method, .normal)
    }
}
