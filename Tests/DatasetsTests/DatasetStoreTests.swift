import Datasets
import Foundation
import HDF5
import SharedTestSupport
import VoxelGeometry
import XCTest

final class DatasetStoreTests: XCTestCase {
    func testCasesRoundTripThroughTheHDF5Store() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/data.h5"
        let cases = [boxCase(id: "Case00", site: "A"), boxCase(id: "Case01", site: "B", slices: 6)]
        try DatasetFile.write(cases, source: "test", to: path)
        let (header, read) = try DatasetFile.read(path)
        XCTAssertEqual(header.source, "test")
        XCTAssertEqual(header.caseIDs, ["Case00", "Case01"])
        for (a, b) in zip(cases, read) {
            XCTAssertEqual(a.id, b.id)
            XCTAssertEqual(a.site, b.site)
            XCTAssertEqual(a.sourceFile, b.sourceFile)
            XCTAssertEqual(a.image.shape, b.image.shape)
            XCTAssertEqual(a.image.voxels, b.image.voxels)
            XCTAssertEqual(a.image.spacing, b.image.spacing)
            XCTAssertEqual(a.label.voxels, b.label.voxels)
            XCTAssertEqual(a.originalLabel.shape, b.originalLabel.shape)
            XCTAssertEqual(a.originalLabel.voxels, b.originalLabel.voxels)
            XCTAssertEqual(a.originalLabel.spacing, b.originalLabel.spacing)
            XCTAssertEqual(a.originalLabel.orientation, b.originalLabel.orientation)
        }
        // The stored grid's spacing scales with the resampling: 12 original pixels of 0.5 mm
        // become 8 pixels of 0.75 mm.
        XCTAssertEqual(read[0].image.spacing, Spacing(x: 0.75, y: 0.75, z: 3))
    }

    func testAttributesFollowTheDocumentedLayout() throws {
        let path = try temporaryDirectory(self) + "/data.h5"
        try DatasetFile.write([boxCase(id: "Case00", site: "A")], source: "test", to: path)
        let root = try HDF5File.open(path).root
        XCTAssertEqual(try root.stringAttribute("format"), "sparseseg-dataset")
        let group = try root.group("cases").group("Case00")
        XCTAssertEqual(try group.shape(of: "image"), [5, 8, 8])
        XCTAssertEqual(try group.shape(of: "label_original"), [5, 12, 12])
        XCTAssertEqual(try group.attribute("original_size", as: Int.self) as [Int], [12, 12, 5])
        XCTAssertEqual(try group.attribute("central_slice", as: Int.self) as Int, 2)
        XCTAssertEqual(try group.attribute("labelled_extent", as: Int.self) as [Int], [1, 3])
        XCTAssertEqual(try group.stringAttribute("site"), "A")
    }

    func testWritingIsAtomicAndBadFilesAreNamed() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/data.h5"
        XCTAssertThrowsError(try DatasetFile.write([], source: "test", to: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        let twins = [boxCase(id: "Same", site: "A"), boxCase(id: "Same", site: "B")]
        XCTAssertThrowsError(try DatasetFile.write(twins, source: "test", to: path)) { error in
            XCTAssertEqual((error as? DataError)?.field, "cases")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])

        let notHDF5 = directory + "/fake.h5"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notHDF5))
        XCTAssertThrowsError(try DatasetFile.read(notHDF5)) { error in
            XCTAssertEqual((error as? DataError)?.file, notHDF5)
        }
        let otherHDF5 = directory + "/other.h5"
        try HDF5File.writeAtomically(to: otherHDF5) { try $0.setAttribute("format", "something-else") }
        XCTAssertThrowsError(try DatasetFile.read(otherHDF5)) { error in
            XCTAssertEqual((error as? DataError)?.field, "/@format")
        }
    }

    /// The documented layout is what h5py sees: an independent reader of the same file.
    func testH5pyReadsTheDatasetFile() throws {
        guard let python = which("python3") else { try skipUnlessCI("python3 is not installed: the h5py check did not run") }
        guard try runProgram(python, ["-c", "import h5py"]).status == 0 else {
            try skipUnlessCI("h5py is not installed for python3 (make test-deps): the h5py check did not run")
        }
        let path = try temporaryDirectory(self) + "/data.h5"
        let item = boxCase(id: "Case07", site: "RUNMC")
        try DatasetFile.write([item], source: "test", to: path)
        let script = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            g = f["cases"]["Case07"]
            img, lab, orig = g["image"], g["label"], g["label_original"]
            print(f.attrs["format"].decode() if isinstance(f.attrs["format"], bytes) else f.attrs["format"])
            print(img.dtype, lab.dtype, list(img.shape), list(orig.shape))
            print(int(lab[...].sum()), repr(float(img[2, 3, 4])))
            s = g.attrs["site"]
            print(s.decode() if isinstance(s, bytes) else s, [float(v) for v in g.attrs["spacing"]], [int(v) for v in g.attrs["original_size"]], int(g.attrs["central_slice"]))
            """
        let result = try runProgram(python, ["-c", script, path])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, result.output)
        let foreground = item.label.voxels.reduce(0) { $0 + Int($1) }
        let value = item.image[4, 3, 2]
        XCTAssertEqual(lines[0], "sparseseg-dataset")
        XCTAssertEqual(lines[1], "float32 uint8 [5, 8, 8] [5, 12, 12]")
        XCTAssertEqual(lines[2], "\(foreground) \(Double(value))")
        XCTAssertEqual(lines[3], "RUNMC [0.75, 0.75, 3.0] [12, 12, 5] 2")
    }

    /// `sparseseg data inspect FILE.h5`: every case with its stored and original size, spacing,
    /// site and central slice, under either central-slice rule, as text and as JSON.
    func testTheCommandLineInspectsADatasetFile() throws {
        let binary = try sparsesegExecutable()
        let directory = try temporaryDirectory(self)
        let path = directory + "/data.h5"
        // Case01's six slices, labelled 1...3, put the two rules' central slices apart: 3 and 2.
        try DatasetFile.write([boxCase(id: "Case00", site: "RUNMC"), boxCase(id: "Case01", site: "BIDMC", slices: 6)], source: "test", to: path)

        let text = try runProgram(binary, ["data", "inspect", path])
        XCTAssertEqual(text.status, 0, text.output)
        let lines = text.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "\(path): test dataset, 2 cases",
            "  Case00  site RUNMC  size 8 x 8 x 5  spacing 0.750 x 0.750 x 3.000 mm  original 12 x 12 x 5  central slice 2",
            "  Case01  site BIDMC  size 8 x 8 x 6  spacing 0.750 x 0.750 x 3.000 mm  original 12 x 12 x 6  central slice 3",
        ])

        for (rule, central) in [("volume-middle", [2, 3]), ("labelled-extent-middle", [2, 2])] {
            let json = try runProgram(binary, ["data", "inspect", path, "--json", "--central-slice", rule])
            XCTAssertEqual(json.status, 0, json.output)
            let cases = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]], json.output)
            XCTAssertEqual(cases.compactMap { $0["id"] as? String }, ["Case00", "Case01"])
            XCTAssertEqual(cases.compactMap { $0["site"] as? String }, ["RUNMC", "BIDMC"])
            XCTAssertEqual(cases.compactMap { $0["size"] as? [Int] }, [[8, 8, 5], [8, 8, 6]])
            XCTAssertEqual(cases.compactMap { $0["spacing"] as? [Double] }, [[0.75, 0.75, 3], [0.75, 0.75, 3]])
            XCTAssertEqual(cases.compactMap { $0["originalSize"] as? [Int] }, [[12, 12, 5], [12, 12, 6]])
            XCTAssertEqual(cases.compactMap { $0["originalSpacing"] as? [Double] }, [[0.5, 0.5, 3], [0.5, 0.5, 3]])
            XCTAssertEqual(cases.compactMap { $0["centralSlice"] as? Int }, central, rule)
        }

        let bad = try runProgram(binary, ["data", "inspect", path, "--central-slice", "first"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("--central-slice"), bad.output)
        let notDataset = directory + "/other.h5"
        try HDF5File.writeAtomically(to: notDataset) { try $0.setAttribute("format", "something-else") }
        let refused = try runProgram(binary, ["data", "inspect", notDataset])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("\(notDataset): /@format: "), refused.output)
    }
}
