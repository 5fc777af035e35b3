import Foundation
import XCTest

@testable import TrainingCore

final class OptimiserTests: XCTestCase {
    private func parameter(_ values: [Float], gradient: [Float]) -> Parameter {
        let p = Parameter(name: "p", value: Tensor(shape: [values.count], scalars: values))
        p.gradient = Tensor(shape: [gradient.count], scalars: gradient)
        return p
    }

    func testAdamFirstStepsByHand() {
        let p = parameter([1, -2], gradient: [0.5, -3])
        let adam = Adam(parameters: [p], learningRate: 0.1)
        adam.step()
        // First step: m/(1-b1) = g, v/(1-b2) = g^2, so each moves by lr * sign(g) (up to eps).
        XCTAssertEqual(p.value.scalars[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(p.value.scalars[1], -1.9, accuracy: 1e-6)
        // Second step with gradient 0 for the first element: m = 0.9*0.1*0.5 / (1 - 0.81), v = 0.999*0.001*0.25 / (1 - 0.998001).
        p.gradient = Tensor(shape: [2], scalars: [0, -3])
        adam.step()
        let mHat = 0.9 * 0.1 * 0.5 / (1 - 0.81), vHat = 0.999 * 0.001 * 0.25 / (1 - 0.998001)
        XCTAssertEqual(Double(p.value.scalars[0]), 0.9 - 0.1 * mHat / (vHat.squareRoot() + 1e-8), accuracy: 1e-6)
    }

    func testAdamWeightDecayAddsToTheGradient() {
        let p = parameter([2], gradient: [0])
        let adam = Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        adam.step()
        XCTAssertEqual(p.value.scalars[0], 1.9, accuracy: 1e-6, "g = 0 + 0.5 * 2 > 0: one lr step down")
    }

    func testSGDMomentumAndWeightDecayByHand() {
        let p = parameter([1], gradient: [2])
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        sgd.step() // g = 2 + 0.1 = 2.1, buf = 2.1, p = 1 - 0.21 = 0.79
        XCTAssertEqual(p.value.scalars[0], 0.79, accuracy: 1e-6)
        sgd.step() // g = 2 + 0.079 = 2.079, buf = 0.9 * 2.1 + 2.079 = 3.969, p = 0.79 - 0.3969
        XCTAssertEqual(p.value.scalars[0], 0.3931, accuracy: 1e-5)
    }

    func testSchedules() {
        XCTAssertEqual(Schedule.stepDecay(base: 1e-4, epoch: 29, every: 30), 1e-4)
        XCTAssertEqual(Schedule.stepDecay(base: 1e-4, epoch: 30, every: 30), 5e-5)
        XCTAssertEqual(Schedule.stepDecay(base: 1e-4, epoch: 95, every: 30), 1.25e-5)
        XCTAssertEqual(Schedule.poly(base: 0.01, iteration: 0, total: 100), 0.01)
        XCTAssertEqual(Schedule.poly(base: 0.01, iteration: 50, total: 100), 0.01 * pow(0.5, 0.9), accuracy: 1e-9)
        XCTAssertEqual(Schedule.poly(base: 0.01, iteration: 100, total: 100), 0)
        XCTAssertEqual(Schedule.sigmoidRampUp(0, length: 200), exp(-5), accuracy: 1e-12)
        XCTAssertEqual(Schedule.sigmoidRampUp(100, length: 200), exp(-1.25), accuracy: 1e-12)
        XCTAssertEqual(Schedule.sigmoidRampUp(300, length: 200), 1)
    }

    func testEMAFollowsTheFormula() {
        let config = UNetConfiguration(widths: [2, 3], encoderDropout: [0, 0])
        let teacher = UNet(configuration: config, seed: 1), student = UNet(configuration: config, seed: 2)
        let s0 = student.parameters[0].value.scalars[0]
        XCTAssertNotEqual(teacher.parameters[0].value.scalars[0], s0, "different seeds, different weights")
        ExponentialMovingAverage.update(teacher: teacher, student: student, iteration: 0)
        XCTAssertEqual(teacher.parameters[0].value.scalars[0], s0, "a = 0 at iteration 0: a copy")
        let t1 = teacher.parameters[1].value.scalars[0]
        student.parameters[1].value.scalars[0] = t1 + 1
        ExponentialMovingAverage.update(teacher: teacher, student: student, iteration: 3)
        XCTAssertEqual(teacher.parameters[1].value.scalars[0], 0.75 * t1 + 0.25 * (t1 + 1), accuracy: 1e-6)
        student.parameters[1].value.scalars[0] = 0
        let before = teacher.parameters[1].value.scalars[0]
        ExponentialMovingAverage.update(teacher: teacher, student: student, iteration: 10_000)
        XCTAssertEqual(teacher.parameters[1].value.scalars[0], 0.99 * before, accuracy: 1e-6, "a capped at alpha")
    }
}
