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

    func testFixedSeedAndThreadCountGiveBitIdenticalRuns() {
        for threads in [1, 2] {
            let (lossesA, weightsA) = run(threads: threads)
            let (lossesB, weightsB) = run(threads: threads)
            XCTAssertEqual(lossesA, lossesB, "threads \(threads)")
            XCTAssertTrue(weightsA == weightsB, "threads \(threads): parameters differ")
        }
    }
}
