import Datasets
import Foundation
import VoxelGeometry
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

    /// Folders: a row per case and a mean row as text, CSV (atomically) and JSON; a missing
    /// partner and a bad file are data errors (exit 1, one line naming the file); mixing the
    /// pair and folder flags is a usage error (exit 64, one line).
    func testEvaluatesFoldersAndRefusesMixedModesWithOneLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-folders-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for folder in ["pred", "ref"] { try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true) }
        for id in ["Case00", "Case01"] {
            try MaskEvaluationTests.box(shift: 0).writeNIfTI(to: "\(directory)/ref/\(id).nii.gz")
            try MaskEvaluationTests.box(shift: id == "Case00" ? 0 : 1).writeNIfTI(to: "\(directory)/pred/\(id).nii.gz")
        }
        let csv = directory + "/scores.csv"
        let folders = ["evaluate", "--predictions", directory + "/pred", "--references", directory + "/ref"]
        let (status, output) = try runToCompletion(SmokeRunTests.executable, folders + ["--csv", csv], timeout: .seconds(60))
        XCTAssertEqual(status, 0, output)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, output)
        XCTAssertTrue(lines[0].hasPrefix("case    ") && lines[0].contains("dice") && lines[0].contains("assd_mm"), output)
        XCTAssertTrue(lines[1].hasPrefix("Case00  ") && lines[1].contains("1.0000"), output)
        XCTAssertTrue(lines[2].hasPrefix("Case01  ") && lines[2].contains("0.9000"), output)
        XCTAssertTrue(lines[3].hasPrefix("mean    ") && lines[3].contains("0.9500") && lines[3].hasSuffix("n=2"), output)
        XCTAssertEqual(lines[4], "wrote \(csv)")
        let table = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(table.count, 4)
        XCTAssertTrue(table[0].hasPrefix("case,dice_fraction,iou_fraction,assd_mm,"), String(table[0]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["pred", "ref", "scores.csv"], "no temporary file left")

        let (jsonStatus, json) = try runToCompletion(SmokeRunTests.executable, folders + ["--json"], timeout: .seconds(60))
        XCTAssertEqual(jsonStatus, 0, json)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
        XCTAssertEqual((document["cases"] as? [[String: Any]])?.map { $0["case"] as? String }, ["Case00", "Case01"])

        // Usage errors: one line, exit 64, before any file is read.
        let usages: [[String]] = [
            folders + ["--prediction", directory + "/pred/Case00.nii.gz"],
            ["evaluate", "--predictions", directory + "/pred"],
            ["evaluate", "--prediction", directory + "/pred/Case00.nii.gz", "--reference", directory + "/ref/Case00.nii.gz", "--csv", csv],
        ]
        for arguments in usages {
            let (status, message) = try runToCompletion(SmokeRunTests.executable, arguments, timeout: .seconds(60))
            XCTAssertEqual(status, 64, message)
            XCTAssertEqual(message.split(separator: "\n").count, 1, message)
            XCTAssertTrue(message.hasPrefix("Error: --"), message)
        }

        // Help needs neither mode, and says nothing of an error.
        let help = try runToCompletion(SmokeRunTests.executable, ["help", "evaluate"], timeout: .seconds(60))
        XCTAssertEqual(help.status, 0, help.output)
        XCTAssertTrue(help.output.contains("--predictions") && !help.output.contains("Error"), help.output)

        // Data errors: one line, exit 1, naming the file; the CSV is not touched.
        try FileManager.default.removeItem(atPath: directory + "/pred/Case01.nii.gz")
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: directory + "/pred/Case02.nii"))
        let before = try Data(contentsOf: URL(fileURLWithPath: csv))
        func refused(_ arguments: [String], startingWith start: String, line: UInt = #line) throws {
            let (status, message) = try runToCompletion(SmokeRunTests.executable, arguments, timeout: .seconds(60))
            XCTAssertEqual(status, 1, message, line: line)
            XCTAssertEqual(message.split(separator: "\n").count, 1, message, line: line)
            XCTAssertTrue(message.hasPrefix("Error: \(start)"), message, line: line)
        }
        try refused(folders + ["--csv", csv], startingWith: directory + "/pred/Case02.nii: no reference of this case")
        try refused(folders + ["--csv", csv, "--allow-missing"], startingWith: directory + "/pred/Case02.nii: no reference of this case")
        // With a reference of its name, the unreadable prediction is named with the header field.
        try FileManager.default.copyItem(atPath: directory + "/ref/Case00.nii.gz", toPath: directory + "/ref/Case02.nii.gz")
        try refused(folders + ["--csv", csv, "--allow-missing"], startingWith: directory + "/pred/Case02.nii: header: ")
        try refused(folders + ["--csv", csv], startingWith: directory + "/ref/Case01.nii.gz: no prediction of this case")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: csv)), before)
    }

    /// The interop loop: a job's predictions, scored by folder against the original-grid masks
    /// of `data export --nifti`, give the job's own cases.csv: overlap metrics exactly, distances
    /// to float32's precision (NIfTI stores pixdim as float32).
    func testAJobsPredictionsScoredAgainstAnExportGiveTheJobsCasesCSV() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-job-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = directory + "/run", export = directory + "/export", csv = directory + "/scores.csv"
        let experiment = SmokeRunTests.repository.appendingPathComponent("experiments/smoke.yaml").path
        let train = try runToCompletion(SmokeRunTests.executable, ["train", experiment, "--method", "fs-lcs", "--fold", "0", "--seed", "0", "--out", run],
                                        timeout: .seconds(300))
        XCTAssertEqual(train.status, 0, train.output)
        let dataset = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: run).first { $0.hasSuffix(".h5") }, "the run's dataset file")
        let exported = try runToCompletion(SmokeRunTests.executable, ["data", "export", run + "/" + dataset, "--nifti", export], timeout: .seconds(60))
        XCTAssertEqual(exported.status, 0, exported.output)
        let job = run + "/jobs/fs-lcs/fold0/seed0"
        let scored = try runToCompletion(SmokeRunTests.executable, ["evaluate", "--predictions", job + "/predictions", "--references", export + "/labels_original",
                                                                    "--allow-missing", "--csv", csv], timeout: .seconds(60))
        XCTAssertEqual(scored.status, 0, scored.output)

        func rows(_ path: String) throws -> [String: [String: String]] {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            return Dictionary(uniqueKeysWithValues: lines.dropFirst().map { cells in (cells[lines[0].firstIndex(of: "case")!], Dictionary(uniqueKeysWithValues: zip(lines[0], cells))) })
        }
        let theirs = try rows(job + "/cases.csv"), ours = try rows(csv)
        XCTAssertEqual(Set(ours.keys), Set(theirs.keys).union(["mean"]))
        for (id, row) in theirs {
            for column in ["dice_fraction", "iou_fraction", "ravd", "ravd_abs", "dice_gland_slices_fraction", "flags"] {
                XCTAssertEqual(ours[id]?[column], row[column], "\(id) \(column)")
            }
            for column in ["assd_mm", "assd_pooled_mm", "hd95_mm", "fp_ml_gland_free"] {
                let (a, b) = (Double(ours[id]?[column] ?? ""), Double(row[column] ?? ""))
                XCTAssertEqual(a == nil, b == nil, "\(id) \(column)")
                if let a, let b { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), "\(id) \(column)") }
            }
        }
    }
}
