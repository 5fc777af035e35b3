import Datasets
import Foundation
import XCTest

/// `sparseseg evaluate` on real image files: the metrics of two masks, and a clear error with a
/// non-zero exit when their grids differ.
final class EvaluateCommandTests: XCTestCase {
    func testEvaluatesTwoNIfTIMasksAndRefusesMismatchedGrids() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // A 10 x 10 x 4 box, and the same box one voxel further along x: Dice = 2 * 360 / 800.
        func box(shiftX: Int, nz: Int = 10, spacing: Spacing = Spacing(x: 0.6, y: 0.6, z: 3.6), origin: [Double] = [0, 0, 0]) -> LabelVolume {
            var voxels = [UInt8](repeating: 0, count: nz * 20 * 20)
            for z in 3..<7 { for y in 5..<15 { for x in (5 + shiftX)..<(15 + shiftX) { voxels[(z * 20 + y) * 20 + x] = 1 } } }
            return LabelVolume(shape: VolumeShape(nz: nz, ny: 20, nx: 20), spacing: spacing, orientation: Orientation(origin: origin), voxels: voxels)
        }
        let reference = directory.appendingPathComponent("reference.nii.gz").path
        let prediction = directory.appendingPathComponent("prediction.nii.gz").path
        let shorter = directory.appendingPathComponent("shorter.nii.gz").path
        try box(shiftX: 0).writeNIfTI(to: reference)
        try box(shiftX: 1).writeNIfTI(to: prediction)
        try box(shiftX: 1, nz: 9).writeNIfTI(to: shorter)
        let coarser = directory.appendingPathComponent("coarser.nii.gz").path
        let moved = directory.appendingPathComponent("moved.nii.gz").path
        try box(shiftX: 1, spacing: Spacing(x: 0.6, y: 0.6, z: 3.0)).writeNIfTI(to: coarser)
        try box(shiftX: 1, origin: [0, 0, 12]).writeNIfTI(to: moved)

        let (status, output) = try runToCompletion(SmokeRunTests.executable, ["evaluate", "--prediction", prediction, "--reference", reference, "--json"], timeout: .seconds(60))
        XCTAssertEqual(status, 0, output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output)
        XCTAssertEqual(try XCTUnwrap(json["dice"] as? Double), 0.9, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(json["iou"] as? Double), 360.0 / 440.0, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(json["ravd"] as? Double), 0, accuracy: 1e-12)
        for key in ["assd", "assd_pooled", "hd95"] { XCTAssertNotNil(json[key] as? Double, key) }

        let (mismatch, message) = try runToCompletion(SmokeRunTests.executable, ["evaluate", "--prediction", shorter, "--reference", reference], timeout: .seconds(60))
        XCTAssertNotEqual(mismatch, 0)
        XCTAssertTrue(message.contains("shorter.nii.gz") && message.contains("geometry mismatch") && message.contains("dim"), message)
        // Same shape, another spacing or another place in the world: refused too, naming the field.
        for (file, field) in [(coarser, "pixdim"), (moved, "qoffset")] {
            let (status, message) = try runToCompletion(SmokeRunTests.executable, ["evaluate", "--prediction", file, "--reference", reference], timeout: .seconds(60))
            XCTAssertNotEqual(status, 0, message)
            XCTAssertTrue(message.contains(file) && message.contains(field), message)
        }
    }
}
