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

    func testFusedLeakyReLUMatchesTheComposition() {
        for training in [true, false] {
            let fused = BatchNorm2d(name: "bn", channels: 3, activationSlope: 0.1)
            let plain = BatchNorm2d(name: "bn", channels: 3), act = LeakyReLU(slope: 0.1)
            for bn in [fused, plain] {
                bn.gamma.value = randomTensor([3], seed: 24)
                bn.beta.value = randomTensor([3], seed: 25)
                bn.runningVariance.value = Tensor(shape: [3], scalars: [0.5, 2, 1])
                bn.setTraining(training)
            }
            let x = randomTensor([2, 3, 4, 5], seed: 26), dz = randomTensor([2, 3, 4, 5], seed: 27)
            let z = fused.forward(x, recording: true)
            let reference = act.forward(plain.forward(x, recording: true), recording: true)
            for i in 0..<z.count { XCTAssertEqual(z.scalars[i], reference.scalars[i], accuracy: 1e-6) }
            let dx = fused.backward(dz), dxReference = plain.backward(act.backward(dz))
            for i in 0..<dx.count { XCTAssertEqual(dx.scalars[i], dxReference.scalars[i], accuracy: 1e-5) }
            for (a, b) in zip(fused.gamma.gradient.scalars + fused.beta.gradient.scalars, plain.gamma.gradient.scalars + plain.beta.gradient.scalars) {
                XCTAssertEqual(a, b, accuracy: 1e-4)
            }
        }
    }

    func testFusedLeakyReLUGradients() {
        let bn = BatchNorm2d(name: "bn", channels: 2, activationSlope: 0.2)
        bn.beta.value = Tensor(shape: [2], scalars: [0.3, -0.2])
        // A 1e-3 step seldom moves an output across the kink at 0 (none does with these seeds).
        assertLayerGradients(input: randomTensor([2, 2, 3, 3], seed: 28), parameters: bn.parameters,
                             forward: { bn.forward($0, recording: $1) }, backward: bn.backward, step: 1e-3, tolerance: 5e-3, "batchnorm + leaky relu")
    }
}
