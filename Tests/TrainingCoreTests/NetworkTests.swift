import SeededRandom
import XCTest

@testable import TrainingCore

final class NetworkTests: XCTestCase {
    private let tiny = UNetConfiguration(widths: [2, 3, 4], encoderDropout: [0, 0, 0])
    /// Slope 1 makes the activations linear: a finite difference then never straddles a
    /// ReLU kink, so the check of the wiring can be tight (the ops have their own checks).
    /// Max-pool switches remain, hence the small 1e-3 step.
    private let smooth = UNetConfiguration(widths: [2, 3, 4], encoderDropout: [0, 0, 0], negativeSlope: 1)

    func testDefaultUNetShapesAndParameterCount() {
        let net = UNet(seed: 1)
        // Counted by hand from docs/methods.md: block(a, b) = 9ab + b + 2b + 9b^2 + b + 2b over the
        // encoder (1->16, 16->32, ..., 128->256), four up levels (1x1 conv + block(2w, w)) and
        // a 3x3 head 16->2: 1,813,474.
        XCTAssertEqual(net.parameterCount, 1_813_474)
        XCTAssertEqual(Set(net.parameters.map(\.name)).count, net.parameters.count, "parameter names are unique")
        XCTAssertEqual(net.parameters.first?.name, "encoder.0.conv1.weight")
        XCTAssertEqual(net.parameters.last?.name, "head.bias")
        XCTAssertEqual(net.buffers.count, 2 * 2 * 9, "running mean and variance of 18 BatchNorms")
        XCTAssertEqual(net.counters.count, 9, "one dropout per block")
        net.setTraining(false)
        XCTAssertEqual(net.forward(Tensor(shape: [1, 1, 32, 48])).shape, [1, 2, 32, 48])
    }

    func testDefaultRegistrationNetShapesAndParameterCount() {
        let net = RegistrationNet(seed: 1)
        // Encoder 2->16->32->32->32, decoder 32->32, 64->32, 64->32, 64->32, extra 48->32->16->16,
        // flow 16->2, all 3x3 with bias: 109,170.
        XCTAssertEqual(net.parameterCount, 109_170)
        let flow = net.forward(moving: randomTensor([2, 1, 32, 32], seed: 2), fixed: randomTensor([2, 1, 32, 32], seed: 3))
        XCTAssertEqual(flow.shape, [2, 2, 32, 32])
        XCTAssertLessThan(flow.scalars.map(abs).max()!, 1e-2, "the flow head starts near zero")
    }

    func testUNetGradientsMatchFiniteDifferences() {
        let net = UNet(configuration: smooth, seed: 4)
        let x = randomTensor([2, 1, 8, 8], seed: 5)
        // Biases of convolutions followed by BatchNorm have gradient 0 in training (the batch
        // mean absorbs them): checked apart, against 0, below.
        // Two steps: 1e-3 keeps the differences of the first convolutions off the max-pool
        // kinks (at 1e-2 they err by 5e-2), but leaves the BatchNorm parameters, whose effect
        // on the loss is small, to the Float forward's rounding (up to 5e-3 with OpenBLAS's
        // AVX2 kernels, measured; 3e-4 at 1e-2).
        let check = net.parameters.filter { ["encoder.1.conv1.weight", "decoder.0.conv1x1", "decoder.1.block.conv2.weight", "head"].contains(where: $0.name.hasPrefix) }
        assertLayerGradients(input: x, parameters: check, forward: { net.forward($0, recording: $1) },
                             backward: { net.backward($0, inputGradient: true)! }, step: 1e-3, tolerance: 5e-3, "unet")
        let y = net.forward(x, recording: true), dy = randomTensor(y.shape, seed: 99)
        net.zeroGradients()
        _ = net.backward(dy, inputGradient: false)
        for p in net.parameters where p.name.hasPrefix("encoder.2.bn2") {
            let saved = p.value
            assertGradient(of: { v in
                p.value = v
                defer { p.value = saved }
                return weightedSum(net.forward(x, recording: false), dy)
            }, at: saved, analytic: p.gradient, step: 1e-2, tolerance: 5e-3, "unet \(p.name)")
        }
        XCTAssertLessThan(net.parameters.first { $0.name == "encoder.1.conv2.bias" }!.gradient.scalars.map(abs).max()!, 1e-5)
    }

    func testUNetEvalModeInputGradient() {
        let net = UNet(configuration: UNetConfiguration(widths: [2, 3], encoderDropout: [0.5, 0.5], negativeSlope: 1), seed: 6)
        net.setTraining(true)
        for _ in 0..<3 { _ = net.forward(randomTensor([2, 1, 4, 4], seed: 7)) }
        net.setTraining(false)
        let first = net.parameters.filter { $0.name.hasPrefix("encoder.0.conv1") }
        assertLayerGradients(input: randomTensor([1, 1, 4, 4], seed: 8), parameters: first, forward: { net.forward($0, recording: $1) },
                             backward: { net.backward($0, inputGradient: true)! }, tolerance: 5e-3, "unet eval")
    }

    func testRegistrationNetGradientsMatchFiniteDifferences() {
        let config = RegistrationConfiguration(encoder: [2, 3], decoder: [3, 2], extra: [2], flowInitStd: 0.3)
        let net = RegistrationNet(configuration: config, seed: 9)
        let check = net.parameters.filter { $0.name.hasPrefix("encoder.0") || $0.name.hasPrefix("decoder.1") || $0.name.hasPrefix("flow") }
        assertLayerGradients(input: randomTensor([2, 2, 8, 8], seed: 10), parameters: check, forward: { net.forward($0, recording: $1) },
                             backward: { net.backward($0) }, step: 1e-3, tolerance: 1e-2, "registration")
    }

    func testUNetOverfitsOneBatch() {
        let net = UNet(configuration: UNetConfiguration(widths: [8, 16, 32], encoderDropout: [0.05, 0.1, 0.2]), seed: 11)
        let (images, labels) = disks(batch: 2, size: 16)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-2)
        let losses = (0..<120).map { _ in trainStep(net, adam, images, labels) }
        let (first, last) = (losses[0], losses[119])
        XCTAssertLessThan(last, first / 10, "loss \(first) -> \(last)")
    }

    func testRegistrationNetLearnsATranslation() {
        // A smooth blob, and the same blob one pixel to the right: the field that warps moving
        // onto fixed samples one pixel to the left, flow x = -1, flow y = 0.
        let size = 32
        var moving = Tensor(shape: [1, 1, size, size]), fixed = moving
        for y in 0..<size {
            for x in 0..<size {
                func blob(_ cx: Float) -> Float {
                    let (dy, dx) = (Float(y) - 15.5, Float(x) - cx)
                    return exp(-(dy * dy + dx * dx) / 40)
                }
                moving[0, 0, y, x] = blob(14.5)
                fixed[0, 0, y, x] = blob(15.5)
            }
        }
        let net = RegistrationNet(configuration: RegistrationConfiguration(encoder: [8, 16, 16, 16], decoder: [16, 16, 16, 16], extra: [16, 8]), seed: 12)
        let adam = Adam(parameters: net.parameters, learningRate: 3e-3)
        let before = Losses.meanSquaredError(moving, fixed).value
        var after: Float = 0
        for _ in 0..<150 {
            let flow = net.forward(moving: moving, fixed: fixed, recording: true)
            let warped = Warp.bilinear(moving, flow: flow)
            let sim = Losses.meanSquaredError(warped, fixed), smooth = Losses.flowSmoothness(flow)
            after = sim.value
            net.zeroGradients()
            net.backward(Ops.add(Warp.bilinearBackward(sim.gradient, image: moving, flow: flow).flow, Ops.scale(smooth.gradient, by: 0.01)))
            adam.step()
        }
        XCTAssertLessThan(after, before / 10, "similarity \(before) -> \(after)")
        // The mean displacement where the blob has signal.
        let flow = net.forward(moving: moving, fixed: fixed)
        var sx = 0.0, sy = 0.0, weight = 0.0
        for y in 0..<size {
            for x in 0..<size where fixed[0, 0, y, x] > 0.3 {
                sy += Double(flow[0, 0, y, x])
                sx += Double(flow[0, 1, y, x])
                weight += 1
            }
        }
        XCTAssertEqual(sx / weight, -1, accuracy: 0.25)
        XCTAssertEqual(sy / weight, 0, accuracy: 0.25)
    }

    func testRecordsAreConsumedLastInFirstOut() {
        let net = UNet(configuration: tiny, seed: 13)
        let a = randomTensor([2, 1, 8, 8], seed: 14), b = randomTensor([2, 1, 8, 8], seed: 15)
        let dy = randomTensor([2, 2, 8, 8], seed: 16)
        // Two recorded forwards, two backwards in reverse order...
        _ = net.forward(a, recording: true)
        _ = net.forward(b, recording: true)
        let db = net.backward(dy, inputGradient: true)!
        let da = net.backward(dy, inputGradient: true)!
        // ...match one forward/backward each.
        let fresh = UNet(configuration: tiny, seed: 13)
        _ = fresh.forward(a, recording: true)
        XCTAssertEqual(fresh.backward(dy, inputGradient: true)!, da)
        _ = fresh.forward(b, recording: true)
        XCTAssertEqual(fresh.backward(dy, inputGradient: true)!, db)
    }
}

/// Noisy disks and their masks (labels `[B*H*W]`).
func disks(batch: Int, size: Int, seed: UInt64 = 3) -> (Tensor, [Int32]) {
    CoreBenchmark.syntheticBatch(batch: batch, size: size, seed: seed)
}
