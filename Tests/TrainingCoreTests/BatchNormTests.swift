import XCTest

@testable import TrainingCore

final class BatchNormTests: XCTestCase {
    func testTrainingForwardByHand() {
        let bn = BatchNorm2d(name: "bn", channels: 1)
        bn.gamma.value = Tensor(shape: [1], scalars: [2])
        bn.beta.value = Tensor(shape: [1], scalars: [1])
        // Values 1, 2, 3, 4 over two slices: mean 2.5, biased variance 1.25, unbiased 5/3.
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        let y = bn.forward(x)
        let s = 1 / (1.25 + 1e-5).squareRoot()
        let expected = [1, 2, 3, 4].map { Float(2 * (Double($0) - 2.5) * s + 1) }
        for (a, b) in zip(y.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(bn.runningMean.value.scalars[0], 0.25, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVariance.value.scalars[0], 0.9 + 0.1 * 5 / 3, accuracy: 1e-6)
    }

    func testEvalUsesRunningStatistics() {
        let bn = BatchNorm2d(name: "bn", channels: 2)
        bn.runningMean.value = Tensor(shape: [2], scalars: [1, -1])
        bn.runningVariance.value = Tensor(shape: [2], scalars: [4, 0.25])
        bn.setTraining(false)
        let y = bn.forward(Tensor(shape: [1, 2, 1, 1], scalars: [3, 0]))
        XCTAssertEqual(y.scalars[0], 2 / (4 + 1e-5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(y.scalars[1], 1 / (0.25 + 1e-5).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(bn.runningMean.value.scalars, [1, -1], "eval must not touch running statistics")
    }

    func testTrainingGradients() {
        let bn = BatchNorm2d(name: "bn", channels: 3)
        bn.gamma.value = randomTensor([3], seed: 20)
        bn.beta.value = randomTensor([3], seed: 21)
        assertLayerGradients(input: randomTensor([2, 3, 3, 5], seed: 22), parameters: bn.parameters,
                             forward: { bn.forward($0, recording: $1) }, backward: bn.backward, "batchnorm train")
    }

    func testEvalGradients() {
        let bn = BatchNorm2d(name: "bn", channels: 2)
        bn.runningMean.value = Tensor(shape: [2], scalars: [0.3, -0.2])
        bn.runningVariance.value = Tensor(shape: [2], scalars: [2, 0.5])
        bn.gamma.value = Tensor(shape: [2], scalars: [1.5, -0.7])
        bn.setTraining(false)
        assertLayerGradients(input: randomTensor([2, 2, 3, 3], seed: 23), parameters: bn.parameters,
                             forward: { bn.forward($0, recording: $1) }, backward: bn.backward, "batchnorm eval")
    }
}
