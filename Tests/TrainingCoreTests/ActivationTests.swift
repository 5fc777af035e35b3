import SeededRandom
import XCTest

@testable import TrainingCore

final class ActivationTests: XCTestCase {
    /// Inputs kept at least 0.05 away from the kink at 0, so a 1e-2 difference step never crosses it.
    private func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        Ops.map(randomTensor(shape, seed: seed)) { $0 >= 0 ? $0 + 0.05 : $0 - 0.05 }
    }

    func testLeakyReLUForwardAndGradients() {
        let layer = LeakyReLU(slope: 0.01)
        XCTAssertEqual(layer.forward(Tensor(shape: [3], scalars: [-2, 0, 3])).scalars, [-0.02, 0, 3])
        assertLayerGradients(input: awayFromZero([2, 3, 4, 5], seed: 30), parameters: [],
                             forward: { layer.forward($0, recording: $1) }, backward: layer.backward, "leaky relu")
        let relu = LeakyReLU(slope: 0)
        assertLayerGradients(input: awayFromZero([1, 2, 3, 3], seed: 31), parameters: [],
                             forward: { relu.forward($0, recording: $1) }, backward: relu.backward, "relu")
    }

    func testDropoutKeepsExpectedFractionScaledAndIsIdentityInEval() {
        let layer = Dropout(name: "d", probability: 0.3, generator: SeededGenerator(seed: 5))
        let x = Tensor(shape: [1, 1, 100, 100], repeating: 1)
        let y = layer.forward(x)
        let kept = y.scalars.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10_000, 0.7, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertNotEqual(layer.forward(x), y, "each forward draws a fresh mask")
        XCTAssertEqual(layer.draws.value, 2)
        layer.setTraining(false)
        XCTAssertEqual(layer.forward(x), x)
    }

    func testDropoutGradientUsesTheSameMask() {
        let layer = Dropout(name: "d", probability: 0.5, generator: SeededGenerator(seed: 6))
        let x = randomTensor([2, 2, 3, 3], seed: 32)
        let y = layer.forward(x, recording: true)
        let dy = randomTensor(x.shape, seed: 33)
        let dx = layer.backward(dy)
        // y = x * mask, so dx / dy must equal y / x elementwise.
        for i in 0..<x.count { XCTAssertEqual(dx.scalars[i] * x.scalars[i], dy.scalars[i] * y.scalars[i], accuracy: 1e-5) }
        // Finite differences with the mask held fixed (the counter rewound before each draw).
        let fixed = Dropout(name: "d", probability: 0.3, generator: SeededGenerator(seed: 7))
        assertLayerGradients(input: x, parameters: [], forward: { input, record in
            fixed.draws.value = 0
            return fixed.forward(input, recording: record)
        }, backward: fixed.backward, "dropout")
        // Same generator and counter: same masks.
        let again = Dropout(name: "d", probability: 0.5, generator: SeededGenerator(seed: 6))
        XCTAssertEqual(again.forward(x), y)
    }

    func testSoftmaxForwardByHand() {
        let z = Tensor(shape: [1, 2, 1, 1], scalars: [0, log(3)])
        let p = Softmax.forward(z)
        XCTAssertEqual(p.scalars[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(p.scalars[1], 0.75, accuracy: 1e-6)
        // Saturated: no overflow, no NaN.
        let saturated = Softmax.forward(Tensor(shape: [1, 2, 1, 1], scalars: [1000, -1000]))
        XCTAssertEqual(saturated.scalars, [1, 0])
        XCTAssertEqual(Softmax.logSoftmax(Tensor(shape: [1, 2, 1, 1], scalars: [1000, -1000])).scalars, [0, -2000])
    }

    func testSoftmaxAndLogSoftmaxGradientsIncludingSaturated() {
        var z = randomTensor([2, 3, 2, 3], seed: 34, std: 2)
        z.scalars[0] = 30 // a saturated pixel
        let w = randomTensor(z.shape, seed: 35)
        let p = Softmax.forward(z)
        assertGradient(of: { weightedSum(Softmax.forward($0), w) }, at: z,
                       analytic: Softmax.backward(w, probabilities: p), "softmax")
        let logp = Softmax.logSoftmax(z)
        assertGradient(of: { weightedSum(Softmax.logSoftmax($0), w) }, at: z,
                       analytic: Softmax.logSoftmaxBackward(w, logProbabilities: logp), "log softmax")
    }

    func testArgmaxAndOneHot() {
        let scores = Tensor(shape: [1, 3, 1, 2], scalars: [0.1, 0.5, 0.7, 0.2, 0.2, 0.3])
        XCTAssertEqual(Softmax.argmax(scores), [1, 0])
        XCTAssertEqual(Softmax.oneHot([2, 0], classes: 3, batch: 1, height: 1, width: 2).scalars, [0, 1, 0, 0, 1, 0])
    }
}
