import Datasets
import Foundation
import SharedTestSupport
import XCTest

/// `DatasetExport`: nnU-Net v2's raw layout and plain NIfTI folders, whose geometry must come
/// back as it went out, through our reader and through nibabel.
final class ExportTests: XCTestCase {
    /// Two phantom cases (the phantom's own grids) and a hand-made case whose direction swaps
    /// x and y and flips z, so that a lost or transposed direction shows.
    private static let cases = Phantom.generate(PhantomSettings(cases: 2, seed: 5, inPlaneSize: 16)) + [boxCase(id: "Box", site: "RUNMC")]

    func testNNUNetLayoutHasItsFoldersNamesAndDatasetJSON() throws {
        let directory = try temporaryDirectory(self) + "/Dataset501_Phantom"
        let written = try DatasetExport.write(Self.cases, source: "/data/phantom.h5", layout: .nnUNet, to: directory, force: false)
        let ids = Self.cases.map(\.id)
        XCTAssertEqual(written.last, directory + "/dataset.json", "dataset.json comes last, so a stopped export has none")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["dataset.json", "imagesTr", "labelsTr"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/imagesTr").sorted(), ids.map { "\($0)_0000.nii.gz" }.sorted())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/labelsTr").sorted(), ids.map { "\($0).nii.gz" }.sorted())

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/dataset.json"))) as? [String: Any])
        XCTAssertEqual(json["channel_names"] as? [String: String], ["0": "T2"])
        XCTAssertEqual(json["labels"] as? [String: Int], ["background": 0, "prostate": 1])
        XCTAssertEqual(json["numTraining"] as? Int, ids.count)
        XCTAssertEqual(json["file_ending"] as? String, ".nii.gz")

        // The label file holds the stored mask, on the image's grid.
        let box = Self.cases[2]
        let image = try NIfTI.read(directory + "/imagesTr/Box_0000.nii.gz"), label = try NIfTI.read(directory + "/labelsTr/Box.nii.gz")
        XCTAssertEqual(label.elementType, .uint8)
        XCTAssertEqual(image.elementType, .float32)
        XCTAssertEqual(label.values, box.label.voxels.map(Double.init))
        XCTAssertNoThrow(try Importer.checkGeometry(image: image, mask: label, imagePath: "image", maskPath: "label"))
    }

    /// Every file read back with our reader: the same voxels (exactly: float32 and uint8 are
    /// stored as they are), spacing, origin and direction (to float32's precision).
    func testNIfTILayoutRoundTripsVoxelsAndGeometry() throws {
        let directory = try temporaryDirectory(self) + "/export"
        _ = try DatasetExport.write(Self.cases, source: "phantom.h5", layout: .nifti, to: directory, force: false)
        for item in Self.cases {
            let pairs: [(String, [Double], Volume<UInt8>?)] = [
                ("images", item.image.voxels.map(Double.init), nil), ("labels", item.label.voxels.map(Double.init), item.label),
                ("labels_original", item.originalLabel.voxels.map(Double.init), item.originalLabel),
            ]
            for (folder, voxels, grid) in pairs {
                let read = try NIfTI.read("\(directory)/\(folder)/\(item.id).nii.gz")
                let expected = grid.map { (shape: $0.shape, spacing: $0.spacing, orientation: $0.orientation) }
                    ?? (shape: item.image.shape, spacing: item.image.spacing, orientation: item.image.orientation)
                let context = "\(folder)/\(item.id)"
                XCTAssertEqual(read.size, [expected.shape.nx, expected.shape.ny, expected.shape.nz], context)
                XCTAssertEqual(read.values, voxels, context)
                assertClose(read.spacing, expected.spacing.xyz, context)
                assertClose(read.origin, expected.orientation.origin, context)
                assertClose(read.direction, expected.orientation.direction, context)
            }
        }
    }

    /// nibabel, an independent reader, sees the shape, the zooms, the datatype, an affine made
    /// of our spacing, direction and origin (LPS turned into NIfTI's RAS), and every voxel.
    func testNibabelReadsTheExportedGeometryAndVoxels() throws {
        guard let python = which("python3") else { try skipUnlessCI("python3 is not installed: the nibabel check did not run") }
        guard try runProgram(python, ["-c", "import nibabel"]).status == 0 else {
            try skipUnlessCI("nibabel is not installed for python3 (make test-deps): the nibabel check did not run")
        }
        let root = try temporaryDirectory(self), directory = root + "/export", dumps = root + "/dumps"
        try FileManager.default.createDirectory(atPath: dumps, withIntermediateDirectories: true)
        _ = try DatasetExport.write(Self.cases, source: "phantom.h5", layout: .nnUNet, to: directory, force: false)
        // Voxels x fastest (Fortran order), as float64, so that the comparison is exact.
        let script = """
            import json, os, sys
            import nibabel as nib, numpy as np
            out = {}
            for path in sys.argv[2:]:
                img = nib.load(path)
                name = os.path.basename(path)
                np.asarray(img.dataobj).astype("<f8").flatten(order="F").tofile(os.path.join(sys.argv[1], name + ".f8"))
                h = img.header
                out[name] = {"shape": list(img.shape), "zooms": [float(z) for z in h.get_zooms()], "datatype": int(h["datatype"]),
                             "sform_code": int(h["sform_code"]), "qform_code": int(h["qform_code"]),
                             "affine": img.affine.tolist(), "qform": h.get_qform().tolist()}
            print(json.dumps(out))
            """
        let paths = Self.cases.flatMap { ["\(directory)/imagesTr/\($0.id)_0000.nii.gz", "\(directory)/labelsTr/\($0.id).nii.gz"] }
        let result = try runProgram(python, ["-c", script, dumps] + paths)
        XCTAssertEqual(result.status, 0, result.output)
        let headers = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: Any]], result.output)
        for item in Self.cases {
            for (name, datatype, voxels) in [("\(item.id)_0000.nii.gz", 16, item.image.voxels.map(Double.init)), ("\(item.id).nii.gz", 2, item.label.voxels.map(Double.init))] {
                let header = try XCTUnwrap(headers[name], name)
                let (shape, spacing, orientation) = (item.image.shape, item.image.spacing, item.image.orientation)
                XCTAssertEqual(header["shape"] as? [Int], [shape.nx, shape.ny, shape.nz], name)
                XCTAssertEqual(header["datatype"] as? Int, datatype, name)
                XCTAssertEqual(header["sform_code"] as? Int, 1, name)
                XCTAssertEqual(header["qform_code"] as? Int, 1, name)
                assertClose(try XCTUnwrap(header["zooms"] as? [Double], name), spacing.xyz, name)
                // RAS = diag(-1, -1, 1) * LPS: the affine's column c is axis c's direction times its spacing.
                let flip: [Double] = [-1, -1, 1]
                var expected: [Double] = []
                for r in 0..<3 {
                    expected += (0..<3).map { c in flip[r] * orientation.direction[3 * r + c] * spacing.xyz[c] } + [flip[r] * orientation.origin[r]]
                }
                expected += [0, 0, 0, 1]
                for key in ["affine", "qform"] {
                    assertClose(try XCTUnwrap(header[key] as? [[Double]], name).flatMap { $0 }, expected, "\(name) \(key)")
                }
                let dumped = try Data(contentsOf: URL(fileURLWithPath: "\(dumps)/\(name).f8"))
                let values = dumped.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
                XCTAssertEqual(values, voxels, name)
            }
        }
    }

    func testANonEmptyDirectoryIsRefusedUnlessForced() throws {
        let directory = try temporaryDirectory(self)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        XCTAssertThrowsError(try DatasetExport.write(Self.cases, source: "d.h5", layout: .nifti, to: directory, force: false)) { error in
            XCTAssertEqual((error as? DataError)?.file, directory)
            XCTAssertTrue("\(error)".contains("not empty") && "\(error)".contains("--force"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["notes.txt"], "nothing written")
        let written = try DatasetExport.write(Self.cases, source: "d.h5", layout: .nifti, to: directory, force: true)
        XCTAssertEqual(written.count, 3 * Self.cases.count)
        XCTAssertEqual(try String(contentsOfFile: directory + "/notes.txt", encoding: .utf8), "keep", "--force leaves other files alone")
        // A file where the directory should be.
        XCTAssertThrowsError(try DatasetExport.write(Self.cases, source: "d.h5", layout: .nifti, to: directory + "/notes.txt", force: true)) { error in
            XCTAssertTrue("\(error)".contains("not a directory"), "\(error)")
        }
    }

    /// A case name becomes a file name: one that would leave its folder is refused before
    /// anything is written.
    func testCaseNamesThatAreNotFileNamesAreRefused() throws {
        for id in ["..", "a/b", ""] {
            let directory = try temporaryDirectory(self) + "/out"
            var item = boxCase(id: "x", site: "RUNMC")
            item.id = id
            XCTAssertThrowsError(try DatasetExport.write([item], source: "d.h5", layout: .nnUNet, to: directory, force: false)) { error in
                XCTAssertEqual((error as? DataError)?.file, "d.h5")
                XCTAssertTrue("\(error)".contains("cannot be a file name"), "\(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory), id)
        }
        XCTAssertThrowsError(try DatasetExport.write([], source: "d.h5", layout: .nnUNet, to: try temporaryDirectory(self), force: false))
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ context: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, context, line: line)
        for (x, y) in zip(a, b) where abs(x - y) > 1e-5 * max(1, abs(y)) {
            return XCTFail("\(context): \(a) differs from \(b)", line: line)
        }
    }
}
