import Datasets
@testable import Methods
import TrainingCore
import XCTest

/// Label propagation with given fields, and the fusion rules on hand-made masks.
final class PropagationTests: XCTestCase {
    private let size = SliceSize(ny: 12, nx: 12)

    /// A square of foreground at rows y0..<y0+4, columns x0..<x0+4.
    private func square(y0: Int, x0: Int) -> [UInt8] {
        (0..<144).map { i in (y0..<(y0 + 4)).contains(i / 12) && (x0..<(x0 + 4)).contains(i % 12) ? 1 : 0 }
    }

    private func uniform(dy: Float, dx: Float) -> Tensor {
        Tensor(shape: [1, 2, 12, 12], scalars: [Float](repeating: dy, count: 144) + [Float](repeating: dx, count: 144))
    }

    func testZeroFieldKeepsTheMask() {
        for interpolation in LabelPropagation.Interpolation.allCases {
            let masks = LabelPropagation.propagate(centralMask: square(y0: 4, x0: 4), central: 2, sliceCount: 5, size: size,
                                                   interpolation: interpolation) { _, _ in self.uniform(dy: 0, dx: 0) }
            XCTAssertEqual(masks, [[UInt8]](repeating: square(y0: 4, x0: 4), count: 5), "\(interpolation)")
        }
    }

    func testUniformShiftMovesTheMaskAndChainedStepsCompose() {
        // The field holds where each output pixel samples the moving slice: a field of +1
        // along x reads one column to the right, so the mask moves one column to the left per
        // step; two steps away from the central slice it has moved two columns.
        for interpolation in LabelPropagation.Interpolation.allCases {
            var calls: [(Int, Int)] = []
            let masks = LabelPropagation.propagate(centralMask: square(y0: 4, x0: 4), central: 2, sliceCount: 5, size: size,
                                                   interpolation: interpolation) { moving, fixed in
                calls.append((moving, fixed))
                return self.uniform(dy: 0, dx: 1)
            }
            XCTAssertEqual(masks[2], square(y0: 4, x0: 4))
            XCTAssertEqual(masks[3], square(y0: 4, x0: 3), "\(interpolation)")
            XCTAssertEqual(masks[4], square(y0: 4, x0: 2), "\(interpolation)")
            XCTAssertEqual(masks[1], square(y0: 4, x0: 3), "\(interpolation)")
            XCTAssertEqual(masks[0], square(y0: 4, x0: 2), "\(interpolation)")
            // Each step warps the previous result: fields from c to c+1, c+1 to c+2, then downwards.
            XCTAssertEqual(calls.map(\.0), [2, 3, 2, 1])
            XCTAssertEqual(calls.map(\.1), [3, 4, 1, 0])
        }
    }

    func testChainedStepsEqualOneWarpByTheSummedShift() {
        let chained = LabelPropagation.propagate(centralMask: square(y0: 2, x0: 2), central: 0, sliceCount: 4, size: size) { _, _ in
            self.uniform(dy: -1, dx: -1)
        }
        let once = Warp.labelsBilinear(Tensor(shape: [1, 1, 12, 12], scalars: square(y0: 2, x0: 2).map(Float.init)), flow: uniform(dy: -3, dx: -3), classes: 2)
        XCTAssertEqual(chained[3], once.scalars.map { UInt8($0) })
        XCTAssertEqual(chained[3], square(y0: 5, x0: 5))
    }

    func testHalfPixelShiftWithBilinearThreshold() {
        // A shift of 0.5: the one-hot foreground is 0.5 on the edge columns, not above the
        // threshold, so the square loses its edge column on the side it moves away from.
        let masks = LabelPropagation.propagate(centralMask: square(y0: 4, x0: 4), central: 0, sliceCount: 2, size: size, threshold: 0.5) { _, _ in
            self.uniform(dy: 0, dx: 0.5)
        }
        XCTAssertEqual(masks[1].reduce(0) { $0 + Int($1) }, 12)
    }

    func testFusionRulesOnHandMadeMasks() {
        let semi: [UInt8] = [1, 1, 0, 0, 1, 0]
        let ssl: [UInt8] = [1, 0, 1, 0, 1, 1]
        XCTAssertEqual(PseudoLabelFusion.intersection.fuse(semi: semi, ssl: ssl), [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(PseudoLabelFusion.union.fuse(semi: semi, ssl: ssl), [1, 1, 1, 0, 1, 1])
        XCTAssertEqual(PseudoLabelFusion.semiOnly.fuse(semi: semi, ssl: ssl), semi)
        XCTAssertEqual(PseudoLabelFusion.sslOnly.fuse(semi: semi, ssl: ssl), ssl)
        // Against a truth, the intersection is at least as precise as either source.
        let truth: [UInt8] = [1, 1, 0, 0, 1, 0]
        func precision(_ mask: [UInt8]) -> Double {
            var tally = VoxelTally()
            tally.add(prediction: mask, truth: truth)
            return tally.precision!
        }
        let fused = precision(PseudoLabelFusion.intersection.fuse(semi: semi, ssl: ssl))
        XCTAssertEqual(fused, 1)
        XCTAssertGreaterThanOrEqual(fused, precision(ssl))
        XCTAssertEqual(precision(ssl), 0.5)
    }

    func testVoxelTallyCounts() {
        var tally = VoxelTally()
        tally.add(prediction: [1, 1, 0, 0], truth: [1, 0, 1, 0])
        XCTAssertEqual(tally, VoxelTally(tp: 1, fp: 1, fn: 1))
        XCTAssertEqual(tally.dice, 0.5)
    }
}
