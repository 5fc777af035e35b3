import Foundation
import XCTest

@testable import TrainingCore

final class LossTests: XCTestCase {
    private let shape = [2, 2, 3, 3]
    private var labels: [Int32] { (0..<18).map { Int32(($0 * 7) % 3 == 0 ? 1 : 0) } }

    func testCrossEntropyByHandAndGradient() {
        let logits = Tensor(shape: [1, 2, 1, 1], scalars: [0, log(3)])
        XCTAssertEqual(Losses.crossEntropy(logits: logits, labels: [1]).value, -log(0.75), accuracy: 1e-6)
        let z = randomTensor(shape, seed: 70, std: 3)
        let labels = self.labels
        assertGradient(of: { Double(Losses.crossEntropy(logits: $0, labels: labels).value) }, at: z,
                       analytic: Losses.crossEntropy(logits: z, labels: labels).gradient, "ce")
    }

    func testWeightedAndMaskedCrossEntropy() {
        let z = randomTensor(shape, seed: 71)
        let labels = self.labels
        let mask: [Float] = (0..<18).map { $0 % 4 == 0 ? 0 : 1 }
        let weights: [Float] = (0..<18).map { Float($0 % 5) * 0.3 }
        for (w, normalisation) in [(mask, Losses.Normalisation.weightSum), (weights, .pixelCount), (weights, .weightSum)] {
            assertGradient(of: { Double(Losses.crossEntropy(logits: $0, labels: labels, weights: w, normalisation: normalisation).value) },
                           at: z, analytic: Losses.crossEntropy(logits: z, labels: labels, weights: w, normalisation: normalisation).gradient,
                           "weighted ce \(normalisation)")
        }
        // The mask's mean equals the unweighted loss over the kept pixels alone.
        let masked = Losses.crossEntropy(logits: z, labels: labels, weights: mask).value
        let logp = Softmax.logSoftmax(z)
        var total = 0.0, count = 0.0
        for pixel in 0..<18 where mask[pixel] == 1 {
            let (b, i) = (pixel / 9, pixel % 9)
            total -= Double(logp.scalars[(b * 2 + Int(labels[pixel])) * 9 + i])
            count += 1
        }
        XCTAssertEqual(Double(masked), total / count, accuracy: 1e-5)
        let empty = Losses.crossEntropy(logits: z, labels: labels, weights: [Float](repeating: 0, count: 18))
        XCTAssertEqual(empty.value, 0)
        XCTAssertTrue(empty.gradient.scalars.allSatisfy { $0 == 0 })
    }

    func testDiceByHandAndGradient() {
        // One pixel, p = (0.2, 0.8), g = (0, 1): class 0: 1 - s/(0.04 + s), class 1: 1 - (1.6 + s)/(0.64 + 1 + s).
        let p = Tensor(shape: [1, 2, 1, 1], scalars: [0.2, 0.8])
        let s = 1e-5
        let expected = ((1 - s / (0.04 + s)) + (1 - (1.6 + s) / (1.64 + s))) / 2
        XCTAssertEqual(Double(Losses.dice(probabilities: p, labels: [1]).value), expected, accuracy: 1e-6)
        let probabilities = Softmax.forward(randomTensor(shape, seed: 72))
        let labels = self.labels
        assertGradient(of: { Double(Losses.dice(probabilities: $0, labels: labels).value) }, at: probabilities,
                       analytic: Losses.dice(probabilities: probabilities, labels: labels).gradient, step: 1e-3, "dice")
    }

    /// Saturated softmax (logits of magnitude ~20-40): CE and Dice stay finite and their
    /// gradients with respect to the logits still match finite differences.
    func testCrossEntropyAndDiceAtSaturatedLogits() {
        let z = randomTensor(shape, seed: 80, std: 20)
        let labels = self.labels
        let ce = Losses.crossEntropy(logits: z, labels: labels)
        XCTAssertTrue(ce.value.isFinite && ce.gradient.scalars.allSatisfy(\.isFinite))
        assertGradient(of: { Double(Losses.crossEntropy(logits: $0, labels: labels).value) }, at: z, analytic: ce.gradient, "ce saturated")
        func dice(_ logits: Tensor) -> LossGradient { UNet.diceCrossEntropy(logits: logits, labels: labels, gamma: 0) }
        let d = dice(z)
        XCTAssertTrue(d.value.isFinite && d.gradient.scalars.allSatisfy(\.isFinite))
        assertGradient(of: { Double(dice($0).value) }, at: z, analytic: d.gradient, "dice saturated")
        // The fused Dice + CE equals the two losses computed apart.
        let fused = UNet.diceCrossEntropy(logits: z, labels: labels, gamma: 0.5)
        let apart = Losses.dice(probabilities: Softmax.forward(z), labels: labels).value + 0.5 * ce.value
        XCTAssertEqual(fused.value, apart, accuracy: 1e-6)
    }

    /// KL with exact-zero targets (one-hot p, 0 log 0 = 0) is the cross-entropy of the logits:
    /// the same value and the same gradient with respect to them, and a finite gradient at p = 0.
    func testKLDivergenceWithZeroTargetsIsCrossEntropy() {
        let z = randomTensor(shape, seed: 81, std: 2)
        let labels = self.labels
        let p = Softmax.oneHot(labels, classes: 2, batch: 2, height: 3, width: 3)
        XCTAssertTrue(p.scalars.contains(0))
        let logq = Softmax.logSoftmax(z)
        let kl = Losses.klDivergence(target: p, logQ: logq)
        let ce = Losses.crossEntropy(logits: z, labels: labels)
        XCTAssertEqual(kl.value, ce.value, accuracy: 1e-6)
        let dz = Softmax.logSoftmaxBackward(kl.logQ, logProbabilities: logq)
        for i in 0..<dz.count { XCTAssertEqual(dz.scalars[i], ce.gradient.scalars[i], accuracy: 1e-6) }
        XCTAssertTrue(kl.target.scalars.allSatisfy(\.isFinite))
        assertGradient(of: { Double(Losses.klDivergence(target: p, logQ: Softmax.logSoftmax($0)).value) }, at: z, analytic: dz, "kl zero targets")
    }

    func testMeanSquaredError() {
        let a = randomTensor(shape, seed: 73), b = randomTensor(shape, seed: 74)
        let loss = Losses.meanSquaredError(a, b)
        assertGradient(of: { Double(Losses.meanSquaredError($0, b).value) }, at: a, analytic: loss.gradient, "mse")
        XCTAssertEqual(Losses.meanSquaredError(Tensor(shape: [2], scalars: [1, 2]), Tensor(shape: [2], scalars: [0, 4])).value, 2.5)
    }

    func testKLDivergence() {
        let p = Softmax.forward(randomTensor(shape, seed: 75)), zq = randomTensor(shape, seed: 76)
        let logq = Softmax.logSoftmax(zq)
        let kl = Losses.klDivergence(target: p, logQ: logq)
        XCTAssertGreaterThan(kl.value, 0)
        XCTAssertEqual(Losses.klDivergence(target: p, logQ: Softmax.logSoftmax(Ops.map(p) { log($0) })).value, 0, accuracy: 1e-6)
        // Through log-softmax to the logits of q, and with respect to p.
        assertGradient(of: { Double(Losses.klDivergence(target: p, logQ: Softmax.logSoftmax($0)).value) }, at: zq,
                       analytic: Softmax.logSoftmaxBackward(kl.logQ, logProbabilities: logq), "kl logits")
        assertGradient(of: { Double(Losses.klDivergence(target: $0, logQ: logq).value) }, at: p, analytic: kl.target, step: 1e-3, "kl target")
    }

    func testEntropyAndJensenShannon() {
        let uniform = Tensor(shape: [1, 2, 1, 1], scalars: [0.5, 0.5])
        XCTAssertEqual(Double(Losses.entropy(uniform).value), log(2), accuracy: 1e-6)
        let p = Softmax.forward(randomTensor(shape, seed: 77)), q = Softmax.forward(randomTensor(shape, seed: 78))
        assertGradient(of: { Double(Losses.entropy($0).value) }, at: p, analytic: Losses.entropy(p).gradient, step: 1e-3, "entropy")
        let jsd = Losses.jensenShannon([p, q])
        XCTAssertGreaterThan(jsd.value, 0)
        XCTAssertEqual(Losses.jensenShannon([p, p]).value, 0, accuracy: 1e-6)
        assertGradient(of: { Double(Losses.jensenShannon([$0, q]).value) }, at: p, analytic: jsd.gradients[0], step: 1e-3, "jsd p")
        assertGradient(of: { Double(Losses.jensenShannon([p, $0]).value) }, at: q, analytic: jsd.gradients[1], step: 1e-3, "jsd q")
        // Two opposite certain predictions: JSD = H(0.5, 0.5) = ln 2.
        let a = Tensor(shape: [1, 2, 1, 1], scalars: [1, 0]), b = Tensor(shape: [1, 2, 1, 1], scalars: [0, 1])
        XCTAssertEqual(Double(Losses.jensenShannon([a, b]).value), log(2), accuracy: 1e-6)
    }

    func testFlowSmoothness() {
        // A ramp of slope 1 along x in channel 1 only, on a 3x3 grid: mean(dx^2) over 2*3*2 = 12
        // differences of which 6 are 1 -> 0.5; dy all 0; loss (0 + 0.5)/2.
        var flow = Tensor(shape: [1, 2, 3, 3])
        for y in 0..<3 { for x in 0..<3 { flow[0, 1, y, x] = Float(x) } }
        XCTAssertEqual(Losses.flowSmoothness(flow).value, 0.25, accuracy: 1e-7)
        let f = randomTensor([2, 2, 3, 4], seed: 79)
        assertGradient(of: { Double(Losses.flowSmoothness($0).value) }, at: f, analytic: Losses.flowSmoothness(f).gradient, "smoothness")
    }

    func testLocalNCC() {
        let i = randomTensor([2, 1, 6, 7], seed: 80)
        // Identical images correlate perfectly where the window has variance: cc close to 1.
        XCTAssertLessThan(Losses.localNCC(fixed: i, warped: i, window: 3).value, -0.95)
        let j = randomTensor([2, 1, 6, 7], seed: 81)
        let ncc = Losses.localNCC(fixed: i, warped: j, window: 3)
        assertGradient(of: { Double(Losses.localNCC(fixed: i, warped: $0, window: 3).value) }, at: j, analytic: ncc.warped, step: 1e-3, "ncc warped")
        assertGradient(of: { Double(Losses.localNCC(fixed: $0, warped: j, window: 3).value) }, at: i, analytic: ncc.fixed, step: 1e-3, "ncc fixed")
        // The 9x9 default on a small image (window larger than the image).
        let big = Losses.localNCC(fixed: i, warped: j)
        assertGradient(of: { Double(Losses.localNCC(fixed: i, warped: $0).value) }, at: j, analytic: big.warped, step: 1e-3, "ncc 9x9")
    }

    func testBoxSumByHand() {
        // 1..9 on 3x3, radius 1: corner sum 1+2+4+5 = 12, centre = 45.
        let s = Losses.boxSum((1...9).map(Double.init), 3, 3, 1)
        XCTAssertEqual(s[0], 12)
        XCTAssertEqual(s[4], 45)
    }
}
