import Metrics
import XCTest

final class OverlapMetricsTests: XCTestCase {
    func testShiftedCubesHandWorked() {
        // Two 4^3 cubes, one shifted by a voxel along x: 3 of 4 columns overlap.
        let a = TestVolumes.box(shape: [6, 6, 7], z: 1..<5, y: 1..<5, x: 1..<5)
        let b = TestVolumes.box(shape: [6, 6, 7], z: 1..<5, y: 1..<5, x: 2..<6)
        let counts = OverlapCounts(prediction: a, reference: b)
        XCTAssertEqual(counts, OverlapCounts(prediction: 64, reference: 64, intersection: 48))
        XCTAssertEqual(counts.union, 80)
        XCTAssertEqual(counts.dice, 0.75)
        XCTAssertEqual(counts.iou, 0.6)
        XCTAssertEqual(counts.ravd, 0)
    }

    func testNestedCubesGiveSignedRavd() {
        // A 2^3 cube inside a 4^3 reference: |A| = 8, |B| = 64, |A n B| = 8.
        let a = TestVolumes.box(shape: [5, 5, 5], z: 1..<3, y: 1..<3, x: 1..<3)
        let b = TestVolumes.box(shape: [5, 5, 5], z: 0..<4, y: 0..<4, x: 0..<4)
        let forward = try! evaluate(prediction: a, reference: b)
        XCTAssertEqual(forward.dice, 16.0 / 72.0, accuracy: 1e-15)
        XCTAssertEqual(forward.iou, 8.0 / 64.0, accuracy: 1e-15)
        XCTAssertEqual(forward.ravd, -0.875)
        XCTAssertEqual(forward.ravdAbs, 0.875)
        // Swapping the roles keeps Dice and IoU but RAVD is relative to the new reference.
        let backward = try! evaluate(prediction: b, reference: a)
        XCTAssertEqual(backward.dice, forward.dice)
        XCTAssertEqual(backward.iou, forward.iou)
        XCTAssertEqual(backward.ravd, 7)
        XCTAssertEqual(backward.ravdAbs, 7)
    }

    func testIdenticalAndDisjointMasks() {
        let a = TestVolumes.box(shape: [3, 4, 5], z: 0..<2, y: 1..<3, x: 0..<5)
        let same = try! evaluate(prediction: a, reference: a)
        XCTAssertEqual([same.dice, same.iou], [1, 1])
        XCTAssertEqual(same.ravd, 0)
        let b = TestVolumes.box(shape: [3, 4, 5], z: 2..<3, y: 0..<4, x: 0..<5)
        let apart = try! evaluate(prediction: a, reference: b)
        XCTAssertEqual([apart.dice, apart.iou], [0, 0])
        XCTAssertEqual(apart.ravd, Double(20 - 20) / 20)
    }

    func testDiceAndIoUAreRelatedAsPublished() {
        // Dice = 2 IoU / (1 + IoU) for any pair; an independent check of both formulas.
        let a = TestVolumes.box(shape: [7, 8, 9], z: 0..<5, y: 2..<8, x: 1..<6)
        let b = TestVolumes.box(shape: [7, 8, 9], z: 3..<7, y: 0..<5, x: 0..<9)
        let counts = OverlapCounts(prediction: a, reference: b)
        XCTAssertEqual(counts.prediction, 150)
        XCTAssertEqual(counts.reference, 180)
        XCTAssertEqual(counts.intersection, 2 * 3 * 5)
        XCTAssertEqual(counts.dice, 2 * counts.iou / (1 + counts.iou), accuracy: 1e-15)
    }

    func testLabelMapsCountNonZeroAsForeground() throws {
        let volume = try BinaryVolume(shape: [1, 2, 3], spacing: .unit, labels: [0, 1, 2, 0, 255, 0] as [UInt8])
        XCTAssertEqual(volume.voxels, [false, true, true, false, true, false])
        XCTAssertEqual(volume.foregroundCount, 3)
        XCTAssertEqual(volume[0, 1, 1], true)
    }
}
