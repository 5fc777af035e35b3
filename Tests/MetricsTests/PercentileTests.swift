import Metrics
import SeededRandom
import XCTest

final class PercentileTests: XCTestCase {
    func testNumpyDocumentedValues() {
        // numpy.percentile([10, 7, 4, 3, 2, 1], 50) is 3.5 in numpy's documentation.
        XCTAssertEqual(Percentile.linear([10, 7, 4, 3, 2, 1], 50), 3.5)
        XCTAssertEqual(Percentile.linear([1, 2, 3, 4], 95), 3.85, accuracy: 1e-15)
        XCTAssertEqual(Percentile.linear([5], 95), 5)
        XCTAssertEqual(Percentile.linear([4, 1, 3], 0), 1)
        XCTAssertEqual(Percentile.linear([4, 1, 3], 100), 4)
    }

    func testSelectionAgreesWithSortingOnRandomAndTiedData() {
        var rng = SeededGenerator(seed: 95)
        for trial in 0..<200 {
            let count = 1 + Int(rng.next() % 300)
            // Half the trials draw from a few values only, as grid distances do.
            let values = (0..<count).map { _ in
                trial % 2 == 0 ? rng.uniformDouble() : Double(rng.next() % 4).squareRoot()
            }
            let q = [95.0, 50, 5, 99.9, 100 * rng.uniformDouble()][trial % 5]
            let sorted = values.sorted()
            let rank = Double(count - 1) * (q / 100)
            let low = Int(rank.rounded(.down)), high = min(low + 1, count - 1)
            let expected = sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
            XCTAssertEqual(Percentile.linear(values, q), expected, accuracy: 1e-12, "trial \(trial)")
        }
    }
}
