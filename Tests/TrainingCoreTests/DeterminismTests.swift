import SeededRandom
import XCTest

@testable import TrainingCore

final class DeterminismTests: XCTestCase {
    private func run(threads: Int) -> ([Float], [Tensor]) {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        BLAS.threads = threads
        // Wide enough for OpenBLAS to split the products between threads.
        let net = UNet(configuration: UNetConfiguration(widths: [16, 32, 64], encoderDropout: [0.05, 0.1, 0.2]), seed: 21)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-3)
        let (images, labels) = disks(batch: 2, size: 32, seed: 22)
        let losses = (0..<3).map { _ in trainStep(net, adam, images, labels) }
        return (losses, net.parameters.map(\.value))
    }

    func testThreadSettingIsApplied() {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        BLAS.threads = 1
        XCTAssertEqual(BLAS.threads, 1)
        BLAS.threads = 2
        XCTAssertEqual(BLAS.threads, 2)
    }

    /// A convolution's forward, input gradient and weight and bias gradients have the same bits
    /// on 1, 2 and 3 threads: through im2col + sgemm (5 input channels in weight-gradient
    /// groups of 2, 2 and 1; input parts), and direct (96 x 32 pixels in three bands, each
    /// run by whichever thread is free).
    func testConvolutionTasksOnSeveralThreadsMatchOneThread() {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        XCTAssertEqual(ConvolutionWorkspace().bandRows(channels: 5, height: 96, width: 32), 32, "three bands")
        for (height, width) in [(9, 11), (96, 32)] {
            var results: [[Tensor]] = []
            for threads in [1, 2, 3] {
                BLAS.threads = threads
                var g = SeededGenerator(seed: 30)
                let conv = Conv2d(name: "c", inputChannels: 5, outputChannels: 6, kernelSize: 3, generator: &g)
                let parts = [randomTensor([3, 2, height, width], seed: 31), randomTensor([3, 3, height, width], seed: 33)]
                let y = conv.forward(concatenating: parts, recording: true)
                let dx = conv.backward(parts: randomTensor(y.shape, seed: 32))
                results.append([y] + dx + [conv.weight.gradient, conv.bias.gradient])
            }
            XCTAssertEqual(results[0], results[1], "\(height)x\(width): 2 threads")
            XCTAssertEqual(results[0], results[2], "\(height)x\(width): 3 threads")
        }
    }

    /// `body` on 1 and on 2 threads (the setting restored after).
    private func onOneAndTwoThreads<T>(_ body: () -> T) -> [T] {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        return [1, 2].map { threads in
            BLAS.threads = threads
            return body()
        }
    }

    func testDropoutPlanesOnTwoThreadsMatchOneThread() {
        let results = onOneAndTwoThreads {
            Dropout(name: "d", probability: 0.3, generator: SeededGenerator(seed: 35)).forward(randomTensor([3, 4, 5, 7], seed: 36))
        }
        XCTAssertEqual(results[0], results[1])
        // Planes draw from different streams: two planes of equal input get different masks.
        let dropout = Dropout(name: "d", probability: 0.5, generator: SeededGenerator(seed: 37))
        let y = dropout.forward(Tensor(shape: [1, 2, 8, 8], repeating: 1))
        XCTAssertNotEqual(Array(y.scalars[0..<64]), Array(y.scalars[64..<128]))
    }

    func testWarpSlicesOnTwoThreadsMatchOneThread() {
        let results = onOneAndTwoThreads {
            let image = randomTensor([3, 2, 6, 7], seed: 38), flow = randomTensor([3, 2, 6, 7], seed: 39, std: 2)
            let backward = Warp.bilinearBackward(randomTensor(image.shape, seed: 40), image: image, flow: flow)
            return [Warp.bilinear(image, flow: flow), backward.image, backward.flow]
        }
        XCTAssertEqual(results[0], results[1])
    }

    func testBatchNormChannelsOnTwoThreadsMatchOneThread() {
        let results = onOneAndTwoThreads {
            let bn = BatchNorm2d(name: "bn", channels: 5, activationSlope: 0.01)
            let y = bn.forward(randomTensor([3, 5, 6, 7], seed: 33), recording: true)
            let dx = bn.backward(randomTensor(y.shape, seed: 34))
            return [y, dx, bn.gamma.gradient, bn.beta.gradient, bn.runningMean.value, bn.runningVariance.value]
        }
        XCTAssertEqual(results[0], results[1])
    }

    /// Three U-Net training steps give the same losses and parameters, to the bit, on 1 and 2
    /// threads: every layer splits its work so that no sum depends on the thread count.
    func testOneAndTwoThreadsTrainBitIdentically() {
        let (lossesOne, weightsOne) = run(threads: 1)
        let (lossesTwo, weightsTwo) = run(threads: 2)
        XCTAssertEqual(lossesOne, lossesTwo)
        XCTAssertTrue(weightsOne == weightsTwo, "parameters differ")
    }

    func testFixedSeedAndThreadCountGiveBitIdenticalRuns() {
        for threads in [1, 2] {
            let (lossesA, weightsA) = run(threads: threads)
            let (lossesB, weightsB) = run(threads: threads)
            XCTAssertEqual(lossesA, lossesB, "threads \(threads)")
            XCTAssertTrue(weightsA == weightsB, "threads \(threads): parameters differ")
        }
    }
}
