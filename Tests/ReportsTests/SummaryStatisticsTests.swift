import XCTest

@testable import Reports

/// Mean and sample SD against hand-worked values.
final class SummaryStatisticsTests: XCTestCase {
    func testSampleStandardDeviationUsesNMinusOne() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32; population SD 2, sample SD sqrt(32/7).
        let summary = ColumnSummary([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(summary.mean!, 5, accuracy: 1e-12)
        XCTAssertEqual(summary.sd!, (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(summary.count, 8)
        XCTAssertEqual(summary.undefined, 0)
    }

    func testUndefinedValuesAreCountedNotAveraged() {
        let summary = ColumnSummary([1, nil, 3, nil])
        XCTAssertEqual(summary.mean, 2)
        XCTAssertEqual(summary.sd!, 2.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(summary.undefined, 2)
        XCTAssertNil(ColumnSummary([4]).sd)
        XCTAssertNil(ColumnSummary([]).mean)
    }

    func testLargeOffsetDoesNotLosePrecision() {
        let summary = ColumnSummary([1e9 + 1, 1e9 + 2, 1e9 + 3])
        XCTAssertEqual(summary.sd!, 1, accuracy: 1e-9)
    }

    func testPseudoLabelRatios() {
        let counts = VoxelCounts(tp: 30, fp: 10, fn: 20)
        XCTAssertEqual(counts.dice!, 60.0 / 90, accuracy: 1e-15)
        XCTAssertEqual(counts.precision!, 0.75, accuracy: 1e-15)
        XCTAssertEqual(counts.recall!, 0.6, accuracy: 1e-15)
        XCTAssertNil(VoxelCounts(tp: 0, fp: 0, fn: 0).dice)
        XCTAssertNil(VoxelCounts(tp: 0, fp: 0, fn: 5).precision)
    }
}
