import Datasets
@testable import Methods
import SeededRandom
import TrainingCore
import XCTest

/// Parts of the methods checked against their definitions.
final class MethodPartsTests: XCTestCase {
    private func smallUNet(_ seed: UInt64) -> UNet {
        UNet(configuration: UNetConfiguration(widths: [4, 8], encoderDropout: [0, 0]), seed: seed)
    }

    private func image(_ seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.uniform(shape: [2, 1, 8, 8], low: 0.2, high: 0.8, generator: &generator)
    }

    /// DCT-Seg's adversarial view is an FGSM step: inside [0, 1], epsilon away from x where
    /// not clamped, and it raises the cross-entropy of the network it was made against.
    func testAdversarialViewRaisesTheLossItWasMadeAgainst() {
        let net = smallUNet(5)
        let x = image(6)
        let labelled = [Int32](repeating: 1, count: 64)
        let adversarial = DCTSeg.adversarialView(net, x: x, labelled: labelled, epsilon: 0.05)
        XCTAssertTrue(net.isTraining, "the network is back in training mode")
        XCTAssertTrue(net.parameters.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } }, "the pass left parameter gradients")
        for (a, b) in zip(adversarial.scalars, x.scalars) { XCTAssertEqual(abs(a - b), 0.05, accuracy: 1e-6) }
        net.setTraining(false)
        let own = Softmax.argmax(net.forward(x))
        let targets = labelled + own[64...]
        let before = Losses.crossEntropy(logits: net.forward(x), labels: Array(targets)).value
        let after = Losses.crossEntropy(logits: net.forward(adversarial), labels: Array(targets)).value
        XCTAssertGreaterThan(after, before)
    }

    /// MT's separate-BN ablation: with the consistency weight at 0, the student's gradients
    /// are exactly those of the supervised loss on a pass over the labelled slices alone (their
    /// own batch statistics), while SSL4MIS's single pass over both halves gives others.
    func testSeparateBatchNormPassesNormaliseTheLabelledHalfAlone() {
        let labelled = SliceBatch(images: image(6), labels: (0..<128).map { Int32($0 % 3 == 0 ? 1 : 0) })
        let unlabelled = Tensor.concatBatch([image(7).batchSlice(0..<1), Tensor(shape: [1, 1, 8, 8])])  // a blank slice: other statistics
        let pt = Tensor(shape: [2, 2, 8, 8], scalars: [Float](repeating: 0.5, count: 256))
        func gradients(_ body: (UNet) -> Void) -> [[Float]] {
            let net = smallUNet(5)
            net.setTraining(true)
            net.zeroGradients()
            body(net)
            return net.parameters.map(\.gradient.scalars)
        }
        let alone = gradients { net in
            let logits = net.forward(labelled.images, recording: true)
            net.backward(UNet.diceCrossEntropy(logits: logits, labels: labelled.labels, gamma: 1).gradient)
        }
        let separate = gradients { net in
            _ = MeanTeacher.studentStep(net, labelled: labelled, unlabelled: unlabelled, teacherProbabilities: pt, weight: 0, gamma: 1, separateBatchNorm: true)
        }
        let joint = gradients { net in
            _ = MeanTeacher.studentStep(net, labelled: labelled, unlabelled: unlabelled, teacherProbabilities: pt, weight: 0, gamma: 1, separateBatchNorm: false)
        }
        XCTAssertEqual(separate, alone)
        let largest = zip(joint.joined(), alone.joined()).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(largest, 1e-3, "one pass over both halves should change the supervised gradients")
    }

    /// With a positive weight, the separate passes still carry the consistency gradient to the
    /// student: the gradients differ from the weight-0 ones.
    func testSeparateBatchNormPassesBackpropagateTheConsistency() {
        let labelled = SliceBatch(images: image(6), labels: [Int32](repeating: 1, count: 128))
        let unlabelled = image(7)
        let pt = Tensor(shape: [2, 2, 8, 8], scalars: (0..<256).map { $0 < 128 ? 0.9 : 0.1 })
        func gradients(_ weight: Float) -> ([Float], Float) {
            let net = smallUNet(5)
            net.setTraining(true)
            net.zeroGradients()
            let losses = MeanTeacher.studentStep(net, labelled: labelled, unlabelled: unlabelled, teacherProbabilities: pt, weight: weight, gamma: 1,
                                                 separateBatchNorm: true)
            return (Array(net.parameters.map(\.gradient.scalars).joined()), losses.consistency)
        }
        let (without, consistency) = gradients(0), (with, _) = gradients(10)
        XCTAssertGreaterThan(consistency, 0)
        XCTAssertGreaterThan(zip(with, without).map { abs($0 - $1) }.max()!, 1e-4)
    }

    func testInterpolationMixesPerSample() {
        let a = Tensor(shape: [2, 1, 1, 2], scalars: [0, 0, 1, 1])
        let b = Tensor(shape: [2, 1, 1, 2], scalars: [1, 1, 3, 3])
        XCTAssertEqual(ICT.mix(a, b, [0.25, 0.5]).scalars, [0.25, 0.25, 2, 2])
    }

    func testTeacherNoiseIsClamped() {
        var generator = SeededGenerator(seed: 1)
        let x = Tensor(shape: [1, 1, 32, 32])
        let noisy = TensorOps.addNoise(x, std: 1, clip: 0.2, rng: &generator)
        XCTAssertEqual(noisy.scalars.max()!, 0.2, accuracy: 1e-6)
        XCTAssertEqual(noisy.scalars.min()!, -0.2, accuracy: 1e-6)
    }

    /// The batcher cycles the labelled slices: every central slice once per cycle, in a
    /// fresh order each cycle, and the same batches for the same iteration.
    func testLabelledSlicesAreCycled() throws {
        let view = try Tiny.dataset.trainingView(fold: 0, of: Tiny.split)
        let batcher = SliceBatcher(view: view, batchSize: 2, augment: false, random: SeededGenerator(seed: 4))
        var rng = SeededGenerator(seed: 0)
        let n = view.cases.count
        let central = view.labelledSlices.map(\.image)
        var seen: [[Float]] = []
        for iteration in 0..<(n / 2) {
            let batch = batcher.labelledBatch(iteration: iteration, rng: &rng)
            seen += (0..<2).map { Array(batch.images.scalars[($0 * 1024)..<(($0 + 1) * 1024)]) }
        }
        XCTAssertEqual(Set(seen.map { $0.description }), Set(central.map { $0.description }))
        XCTAssertEqual(batcher.labelledBatch(iteration: 3, rng: &rng).images, batcher.labelledBatch(iteration: 3, rng: &rng).images)
        XCTAssertEqual(batcher.stepsPerEpoch(0), (view.unlabelledSlices.count + 1) / 2)
    }
}
