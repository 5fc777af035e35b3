import Datasets
import Foundation
import Metrics
import Pipeline
import Reports
import VoxelGeometry
import XCTest

/// `FolderEvaluation`: folders of masks paired by case name and scored as one pair is.
final class MaskEvaluationTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString)").path
        for folder in ["pred", "ref"] { try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true) }
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// A 10 x 10 x 4 box in a 20 x 20 x nz grid, `shift` voxels along x; `empty` has no foreground.
    static func box(shift: Int, nz: Int = 10, empty: Bool = false, spacing: Spacing = Spacing(x: 0.6, y: 0.6, z: 3.6)) -> LabelVolume {
        var voxels = [UInt8](repeating: 0, count: nz * 20 * 20)
        if !empty { for z in 3..<7 { for y in 5..<15 { for x in (5 + shift)..<(15 + shift) { voxels[(z * 20 + y) * 20 + x] = 1 } } } }
        return LabelVolume(shape: VolumeShape(nz: nz, ny: 20, nx: 20), spacing: spacing, orientation: Orientation(origin: [1, 2, 3]), voxels: voxels)
    }

    private func write(_ volume: LabelVolume, _ relative: String) throws { try volume.writeNIfTI(to: directory + "/" + relative) }

    func testEachPredictionIsScoredAgainstTheReferenceOfItsNameAsOnePairIs() throws {
        // Two formats and both suffix cases: pairing is by case name only.
        try write(Self.box(shift: 1), "pred/Case01.nii.gz")
        try write(Self.box(shift: 0), "ref/Case01.nii")
        try write(Self.box(shift: 0, empty: true), "pred/Case00.nii.gz")
        try NIfTI.write(MedicalImage(Self.box(shift: 0)), to: directory + "/ref/Case00.NII.GZ")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: directory + "/pred/summary.json"))

        let evaluation = try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")
        XCTAssertEqual(evaluation.cases.map(\.caseName), ["Case00", "Case01"])
        XCTAssertEqual(evaluation.missing, [])
        let pair = try MaskEvaluation.score(prediction: directory + "/pred/Case01.nii.gz", reference: directory + "/ref/Case01.nii", limits: ImageLimits())
        XCTAssertEqual(evaluation.cases[1].metrics, pair.metrics)
        XCTAssertEqual(evaluation.cases[1].metrics.dice, 0.9, accuracy: 1e-12)
        XCTAssertEqual(evaluation.cases[0].metrics.flags, .emptyPrediction)

        // The mean runs over the defined values: Dice over both, ASSD over Case01 alone.
        XCTAssertEqual(try XCTUnwrap(evaluation.means[.dice]), 0.45, accuracy: 1e-12)
        XCTAssertEqual(evaluation.means[.assd], evaluation.cases[1].metrics.assd)

        // The CSV has the run's cases.csv column names, NA where undefined, and a mean row.
        let lines = evaluation.csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "case,dice_fraction,iou_fraction,assd_mm,assd_pooled_mm,ravd,ravd_abs,hd95_mm,dice_gland_slices_fraction,fp_ml_gland_free,flags")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[1].hasPrefix("Case00,0.0,0.0,NA,NA,-1.0,1.0,NA,") && lines[1].hasSuffix(",empty_prediction"), lines[1])
        let cells = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(cells[2][0], "Case01")
        XCTAssertEqual(try XCTUnwrap(Double(cells[2][1])), 0.9, accuracy: 1e-12)
        XCTAssertEqual(cells[3][0], "mean")
        XCTAssertEqual(try XCTUnwrap(Double(cells[3][1])), 0.45, accuracy: 1e-12)
        XCTAssertEqual(cells[3].last, "n=2")

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: evaluation.json) as? [String: Any])
        let rows = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertEqual(Set(rows[0].keys), ["case", "dice", "iou", "assd", "assd_pooled", "ravd", "ravd_abs", "hd95", "dice_gland_slices", "fp_ml_gland_free", "flags"])
        XCTAssertTrue(rows[0]["assd"] is NSNull)
        XCTAssertEqual((json["mean"] as? [String: Any])?["n"] as? Int, 2)
    }

    /// As nnU-Net's folder evaluation: a prediction without a reference is an error; so is a
    /// reference without a prediction, unless allowed, when it is listed as missing.
    func testCasesWithoutAPartnerAreNamed() throws {
        try write(Self.box(shift: 0), "ref/Case00.nii.gz")
        try write(Self.box(shift: 0), "ref/Case01.nii.gz")
        try write(Self.box(shift: 1), "pred/Case01.nii.gz")
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertEqual((error as? DataError)?.file, directory + "/ref/Case00.nii.gz")
            XCTAssertTrue("\(error)".contains("no prediction of this case") && "\(error)".contains("--allow-missing"), "\(error)")
        }
        let partial = try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref", allowMissing: true)
        XCTAssertEqual(partial.cases.map(\.caseName), ["Case01"])
        XCTAssertEqual(partial.missing, ["Case00"])

        try write(Self.box(shift: 1), "pred/Case02.nii.gz")
        try write(Self.box(shift: 1), "pred/Case03.nii.gz")
        for allowMissing in [false, true] {
            XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref", allowMissing: allowMissing)) { error in
                XCTAssertEqual((error as? DataError)?.file, directory + "/pred/Case02.nii.gz")
                XCTAssertTrue("\(error)".contains("no reference of this case") && "\(error)".contains("Case03.nii.gz"), "\(error)")
            }
        }
    }

    func testBadFoldersAndFilesAreDataErrorsNamingThem() throws {
        // An empty folder.
        try write(Self.box(shift: 0), "ref/Case00.nii.gz")
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertEqual((error as? DataError)?.file, directory + "/pred")
        }
        // Mismatched geometry: another slice count, then another spacing.
        try write(Self.box(shift: 0, nz: 9), "pred/Case00.nii.gz")
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertEqual((error as? DataError)?.file, directory + "/pred/Case00.nii.gz")
            XCTAssertTrue("\(error)".contains("geometry mismatch"), "\(error)")
        }
        try write(Self.box(shift: 0, spacing: Spacing(x: 0.6, y: 0.6, z: 3)), "pred/Case00.nii.gz")
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertEqual((error as? DataError)?.field, "pixdim", "\(error)")
        }
        // An unreadable file.
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: directory + "/pred/Case00.nii.gz"))
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertEqual((error as? DataError)?.file, directory + "/pred/Case00.nii.gz", "\(error)")
        }
        // A case name collision.
        try write(Self.box(shift: 0), "pred/Case00.nii")
        XCTAssertThrowsError(try FolderEvaluation(predictions: directory + "/pred", references: directory + "/ref")) { error in
            XCTAssertTrue("\(error)".contains("Case00.nii, Case00.nii.gz"), "\(error)")
        }
    }
}
