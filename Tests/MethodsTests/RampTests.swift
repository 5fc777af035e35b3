import Foundation
@testable import Methods
import TrainingCore
import XCTest

/// The ramps of docs/methods.md against hand-worked values.
final class RampTests: XCTestCase {
    func testConsistencyRampCountsUnitsOfIterations() {
        // t = floor(iteration / 150), T = 200: w = 0.1 exp(-5 (1 - t/200)^2).
        XCTAssertEqual(Ramps.consistencyWeight(iteration: 0, maximum: 0.1, length: 200, unitIterations: 150), 0.1 * exp(-5), accuracy: 1e-12)
        XCTAssertEqual(Ramps.consistencyWeight(iteration: 149, maximum: 0.1, length: 200, unitIterations: 150), 0.1 * exp(-5), accuracy: 1e-12)
        XCTAssertEqual(Ramps.consistencyWeight(iteration: 15_000, maximum: 0.1, length: 200, unitIterations: 150), 0.1 * exp(-1.25), accuracy: 1e-12)
        XCTAssertEqual(Ramps.consistencyWeight(iteration: 30_000, maximum: 0.1, length: 200, unitIterations: 150), 0.1, accuracy: 1e-12)
        XCTAssertEqual(Ramps.consistencyWeight(iteration: 90_000, maximum: 0.1, length: 200, unitIterations: 150), 0.1, accuracy: 1e-12)
    }

    /// mt-no-consistency has no consistency keys, and its weight is 0 at every step.
    func testTheNoConsistencyAblationWeighsZeroThroughout() {
        let schema = MeanTeacher.noConsistencyRegistration.schema
        XCTAssertNil(schema.defaults.values[TeacherSettings.consistencyMax.key])
        let settings = TeacherSettings(schema.defaults, consistency: false)
        for iteration in [0, 1, 149, 150, 10_000, 90_000] { XCTAssertEqual(settings.weight(iteration), 0) }
        XCTAssertEqual(settings.emaDecay, 0.99)
    }

    func testCoTrainingRampIsZeroAtTheFirstEpoch() {
        XCTAssertEqual(Ramps.coTrainingWeight(epoch: 0, maximum: 1, length: 80), 0)
        XCTAssertEqual(Ramps.coTrainingWeight(epoch: 1, maximum: 1, length: 80), exp(-5 * pow(79.0 / 80, 2)), accuracy: 1e-12)
        XCTAssertEqual(Ramps.coTrainingWeight(epoch: 40, maximum: 0.05, length: 80), 0.05 * exp(-1.25), accuracy: 1e-12)
        XCTAssertEqual(Ramps.coTrainingWeight(epoch: 80, maximum: 0.05, length: 80), 0.05, accuracy: 1e-12)
        XCTAssertEqual(Ramps.coTrainingWeight(epoch: 99, maximum: 0.05, length: 80), 0.05, accuracy: 1e-12)
    }

    func testUncertaintyThresholdRampsFromThreeQuartersToOneOfLn2() {
        XCTAssertEqual(Ramps.uncertaintyThreshold(iteration: 0, totalIterations: 1000), (0.75 + 0.25 * exp(-5)) * log(2), accuracy: 1e-12)
        XCTAssertEqual(Ramps.uncertaintyThreshold(iteration: 500, totalIterations: 1000), (0.75 + 0.25 * exp(-1.25)) * log(2), accuracy: 1e-12)
        XCTAssertEqual(Ramps.uncertaintyThreshold(iteration: 1000, totalIterations: 1000), log(2), accuracy: 1e-12)
    }

    func testStepScheduleHalvesEveryThirtyEpochsByDefault() throws {
        let settings = try TrainingSettings(TrainingSettings.schema.defaults)
        XCTAssertEqual(settings.learningRate(epoch: 0, iteration: 0, totalIterations: 100), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(settings.learningRate(epoch: 29, iteration: 0, totalIterations: 100), 1e-4, accuracy: 1e-12)
        XCTAssertEqual(settings.learningRate(epoch: 30, iteration: 0, totalIterations: 100), 5e-5, accuracy: 1e-12)
        XCTAssertEqual(settings.learningRate(epoch: 99, iteration: 0, totalIterations: 100), 1.25e-5, accuracy: 1e-12)
    }

    func testUncertaintyMaskAndMaskedConsistencyByHand() {
        // Two pixels: one certain (p = 0.99), one maximally uncertain (p = 0.5).
        let pBar = Tensor(shape: [1, 2, 1, 2], scalars: [0.01, 0.5, 0.99, 0.5])
        XCTAssertEqual(UAMT.certainMask(pBar, threshold: 0.75 * log(2)), [1, 0])
        let student = Tensor(shape: [1, 2, 1, 2], scalars: [0.2, 0.3, 0.8, 0.7])
        let teacher = Tensor(shape: [1, 2, 1, 2], scalars: [0.1, 0.9, 0.9, 0.1])
        // Only pixel 0 counts: (0.1^2 + 0.1^2) / (2 * 1 + 1e-16).
        let (value, gradient) = UAMT.maskedConsistency(student: student, teacher: teacher, mask: [1, 0])
        XCTAssertEqual(Double(value), 0.01, accuracy: 1e-6)
        XCTAssertEqual(gradient.scalars[0], 0.1, accuracy: 1e-6)
        XCTAssertEqual(gradient.scalars[1], 0)
        XCTAssertEqual(gradient.scalars[2], -0.1, accuracy: 1e-6)
    }
}
