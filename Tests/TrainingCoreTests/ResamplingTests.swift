import XCTest

@testable import TrainingCore

final class ResamplingTests: XCTestCase {
    func testMaxPoolForwardOddSizeAndGradient() {
        let pool = MaxPool2d()
        let x = Tensor(shape: [1, 1, 3, 5], scalars: [1, 5, 2, 0, 9,
                                                      3, 4, 8, 1, 9,
                                                      9, 9, 9, 9, 9])
        // The odd last row and column are dropped.
        XCTAssertEqual(pool.forward(x).scalars, [5, 8])
        // Distinct values so the maximum is unique under a 1e-2 step.
        let distinct = Tensor(shape: [2, 2, 5, 8], scalars: (0..<160).map { Float(($0 * 37) % 160) * 0.1 })
        assertLayerGradients(input: distinct, parameters: [], forward: { pool.forward($0, recording: $1) },
                             backward: pool.backward, "maxpool")
    }

    func testBilinearAlignCornersByHand() {
        // 2x2 -> 4x4: source coordinate o * (2 - 1) / (4 - 1) = 0, 1/3, 2/3, 1.
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [0, 3, 6, 9])
        let y = Upsample.bilinear(x)
        let expected: [Float] = [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9]
        for (a, b) in zip(y.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testBilinearGradientOddSize() {
        let x = randomTensor([2, 2, 3, 5], seed: 40)
        let w = randomTensor([2, 2, 6, 10], seed: 41)
        assertGradient(of: { weightedSum(Upsample.bilinear($0), w) }, at: x, analytic: Upsample.bilinearBackward(w), "bilinear")
    }

    func testNearestForwardAndGradient() {
        let x = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2])
        XCTAssertEqual(Upsample.nearest(x).scalars, [1, 1, 2, 2, 1, 1, 2, 2])
        let big = randomTensor([2, 3, 3, 3], seed: 42)
        let w = randomTensor([2, 3, 6, 6], seed: 43)
        assertGradient(of: { weightedSum(Upsample.nearest($0), w) }, at: big, analytic: Upsample.nearestBackward(w), "nearest")
    }
}
