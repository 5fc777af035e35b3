import Metrics
import VoxelGeometry
import XCTest

final class SliceDiagnosticsTests: XCTestCase {
    func testOverSegmentationAlongTheSliceAxisHandWorked() throws {
        // Reference: a 2 x 2 square on slices 2 and 3 of 6 (8 voxels). Prediction: the same
        // square on slices 1 to 4 plus a 1 x 2 strip beside it on slice 2 (8 + 2 + 8 = 18).
        // Gland slices {2, 3}: prediction 4 + 2 + 4 = 10 voxels there, all 8 reference voxels
        // covered: Dice 2 * 8 / (10 + 8) = 16 / 18. Off the gland slices: slices 1 and 4, 8
        // voxels of 0.5 x 0.5 x 4 mm = 1 mm^3 each: 0.008 mL.
        let spacing = Spacing(x: 0.5, y: 0.5, z: 4)
        let reference = try BinaryVolume(shape: [6, 5, 5], spacing: spacing) { z, y, x in (2...3).contains(z) && (1...2).contains(y) && (1...2).contains(x) }
        let prediction = try BinaryVolume(shape: [6, 5, 5], spacing: spacing) { z, y, x in
            ((1...4).contains(z) && (1...2).contains(y) && (1...2).contains(x)) || (z == 2 && (1...2).contains(y) && x == 3)
        }
        let d = try SliceDiagnostics(prediction: prediction, reference: reference)
        XCTAssertEqual(d.glandSlices, 2)
        XCTAssertEqual(d.glandSliceDice!, 16.0 / 18.0, accuracy: 1e-15)
        XCTAssertEqual(d.falsePositiveMillilitres, 0.008, accuracy: 1e-15)
        // The 3D Dice mixes both: 2 * 8 / (18 + 8).
        XCTAssertEqual(try evaluate(prediction: prediction, reference: reference).dice, 16.0 / 26.0, accuracy: 1e-15)
    }

    func testAPerfectPredictionAndAnEmptyReference() throws {
        let spacing = Spacing(x: 1, y: 1, z: 1)
        let mask = try BinaryVolume(shape: [3, 3, 3], spacing: spacing) { z, _, _ in z == 1 }
        let perfect = try SliceDiagnostics(prediction: mask, reference: mask)
        XCTAssertEqual(perfect.glandSliceDice, 1)
        XCTAssertEqual(perfect.falsePositiveMillilitres, 0)
        // Without gland, there is no gland slice and every predicted voxel is off the gland.
        let empty = try SliceDiagnostics(prediction: mask, reference: try BinaryVolume(shape: [3, 3, 3], spacing: spacing))
        XCTAssertNil(empty.glandSliceDice)
        XCTAssertEqual(empty.glandSlices, 0)
        XCTAssertEqual(empty.falsePositiveMillilitres, 0.009, accuracy: 1e-15)
    }

    func testDifferentGridsAreRefused() throws {
        let a = try BinaryVolume(shape: [2, 2, 2], spacing: Spacing(x: 1, y: 1, z: 1))
        let b = try BinaryVolume(shape: [2, 2, 3], spacing: Spacing(x: 1, y: 1, z: 1))
        XCTAssertThrowsError(try SliceDiagnostics(prediction: a, reference: b))
    }
}
