import XCTest

@testable import TrainingCore

final class WarpTests: XCTestCase {
    private let image = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])

    private func uniformFlow(dy: Float, dx: Float, height: Int = 3, width: Int = 3) -> Tensor {
        Tensor(shape: [1, 2, height, width], scalars: [Float](repeating: dy, count: height * width) + [Float](repeating: dx, count: height * width))
    }

    func testZeroDisplacementIsIdentity() {
        XCTAssertEqual(Warp.bilinear(image, flow: uniformFlow(dy: 0, dx: 0)), image)
        XCTAssertEqual(Warp.nearest(image, flow: uniformFlow(dy: 0, dx: 0)), image)
    }

    func testHalfPixelShiftByHand() {
        // Sampling at (y, x + 0.5): mean of the pixel and its right neighbour, 0 beyond the edge.
        let out = Warp.bilinear(image, flow: uniformFlow(dy: 0, dx: 0.5))
        let expected: [Float] = [1.5, 2.5, 1.5, 4.5, 5.5, 3, 7.5, 8.5, 4.5]
        for (a, b) in zip(out.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // A quarter pixel down and a whole pixel left: (y + 0.25, x - 1).
        let moved = Warp.bilinear(image, flow: uniformFlow(dy: 0.25, dx: -1))
        XCTAssertEqual(moved[0, 0, 0, 0], 0)
        XCTAssertEqual(moved[0, 0, 0, 1], 0.75 * 1 + 0.25 * 4, accuracy: 1e-6)
        XCTAssertEqual(moved[0, 0, 2, 2], 0.75 * 8, accuracy: 1e-6)
    }

    func testNearestRoundsAndZeroPads() {
        let out = Warp.nearest(image, flow: uniformFlow(dy: 0.6, dx: -0.4))
        XCTAssertEqual(out.scalars, [4, 5, 6, 7, 8, 9, 0, 0, 0])
    }

    func testLabelWarpByThresholdedOneHot() {
        let labels = Tensor(shape: [1, 1, 1, 4], scalars: [0, 1, 1, 0])
        let flow = Tensor(shape: [1, 2, 1, 4], scalars: [0, 0, 0, 0, 0.4, 0.4, 0.4, 0.4])
        // Foreground indicator after the shift: 0.4, 1, 0.6, 0 -> above 0.5 at x = 1, 2.
        XCTAssertEqual(Warp.labelsBilinear(labels, flow: flow, classes: 2).scalars, [0, 1, 1, 0])
        let further = Tensor(shape: [1, 2, 1, 4], scalars: [0, 0, 0, 0, 0.7, 0.7, 0.7, 0.7])
        XCTAssertEqual(Warp.labelsBilinear(labels, flow: further, classes: 2).scalars, [1, 1, 0, 0])
    }

    func testGradientsInsideAndAcrossTheBoundary() {
        let img = randomTensor([2, 2, 4, 5], seed: 60)
        // Displacements in (-1.5, 1.5) push samples over every edge; keep fractional parts away
        // from 0 so that a 1e-2 step never crosses a pixel boundary (the warp is only piecewise smooth).
        var flow = Ops.map(randomTensor([2, 2, 4, 5], seed: 61)) { min(max($0, -1.5), 1.5) }
        flow = Ops.map(flow) { v in
            let f = v - v.rounded(.down)
            return f < 0.05 ? v + 0.1 : (f > 0.95 ? v - 0.1 : v)
        }
        let w = randomTensor(img.shape, seed: 62)
        let grads = Warp.bilinearBackward(w, image: img, flow: flow)
        assertGradient(of: { weightedSum(Warp.bilinear($0, flow: flow), w) }, at: img, analytic: grads.image, "warp image")
        assertGradient(of: { weightedSum(Warp.bilinear(img, flow: $0), w) }, at: flow, analytic: grads.flow, "warp flow")
    }

    func testZeroDisplacementFlowGradientIsCentredOnTheRightDifference() {
        // At zero displacement the flow gradient is the forward difference (the sample sits on a
        // corner); check it against a one-sided difference from the positive side.
        let img = randomTensor([1, 1, 4, 4], seed: 63)
        let zero = Tensor(shape: [1, 2, 4, 4])
        let w = randomTensor(img.shape, seed: 64)
        let grads = Warp.bilinearBackward(w, image: img, flow: zero)
        let step: Float = 1e-3
        for i in [0, 5, 10, 21, 26] {
            var plus = zero
            plus.scalars[i] += step
            let numeric = (weightedSum(Warp.bilinear(img, flow: plus), w) - weightedSum(Warp.bilinear(img, flow: zero), w)) / Double(step)
            XCTAssertEqual(Double(grads.flow.scalars[i]), numeric, accuracy: 1e-3)
        }
        XCTAssertEqual(grads.image, w, "at zero displacement the image gradient is dout")
    }
}
