import Foundation
import HDF5
import XCTest

final class HDF5Tests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hdf5-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testDatasetsAndAttributesRoundTrip() throws {
        let file = path("round.h5")
        try HDF5File.writeAtomically(to: file) { root in
            let group = try root.createGroup("case00")
            try group.write("image", [Float](stride(from: 0, to: 24, by: 1)), shape: [2, 3, 4], compressed: true)
            try group.write("label", [UInt8](repeating: 1, count: 6), shape: [6])
            try group.setAttribute("spacing", [0.625, 0.625, 3.6])
            try group.setAttribute("central_slice", 7)
            try group.setAttribute("site", "RUNMC")
        }
        let root = try HDF5File.open(file).root
        XCTAssertEqual(try root.childNames(), ["case00"])
        let group = try root.group("case00")
        XCTAssertEqual(try group.childNames(), ["image", "label"])
        let image: (values: [Float], shape: [Int]) = try group.read("image")
        XCTAssertEqual(image.shape, [2, 3, 4])
        XCTAssertEqual(image.values[23], 23)
        // HDF5 converts on read: the uint8 label reads as float.
        let label: (values: [Float], shape: [Int]) = try group.read("label")
        XCTAssertEqual(label.values, [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try group.attribute("spacing", as: Double.self) as [Double], [0.625, 0.625, 3.6])
        XCTAssertEqual(try group.attribute("central_slice", as: Int.self) as Int, 7)
        XCTAssertEqual(try group.stringAttribute("site"), "RUNMC")
    }

    func testFailedAtomicWriteLeavesTheOldFileAndNoTemporary() throws {
        let file = path("keep.h5")
        try HDF5File.writeAtomically(to: file) { try $0.setAttribute("generation", 1) }
        struct Interrupted: Error {}
        XCTAssertThrowsError(try HDF5File.writeAtomically(to: file) { root in
            try root.setAttribute("generation", 2)
            throw Interrupted()
        })
        XCTAssertEqual(try HDF5File.open(file).root.attribute("generation", as: Int.self) as Int, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["keep.h5"])
    }

    func testErrorsNameTheFileAndTheObject() throws {
        let file = path("errors.h5")
        try HDF5File.writeAtomically(to: file) { try $0.createGroup("a").write("x", [Float(1)], shape: [1]) }
        let group = try HDF5File.open(file).root.group("a")
        XCTAssertThrowsError(try group.read("missing", as: Float.self)) { error in
            XCTAssertEqual(error as? HDF5Error, HDF5Error(file: file, object: "/a/missing", message: "no such dataset"))
        }
        XCTAssertThrowsError(try group.write("bad", [Float(1), 2], shape: [3])) { error in
            XCTAssertTrue("\(error)".contains("/a/bad"), "\(error)")
        }
    }

    func testTruncatedAndForeignFilesAreRefused() throws {
        let file = path("real.h5")
        try HDF5File.writeAtomically(to: file) { try $0.write("x", [Float](repeating: 1, count: 10_000), shape: [10_000]) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let truncated = path("truncated.h5")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try HDF5File.open(truncated).root.read("x", as: Float.self)) { error in
            XCTAssertTrue("\(error)".contains("truncated.h5"), "\(error)")
        }
        let text = path("notes.h5")
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: text))
        XCTAssertThrowsError(try HDF5File.open(text)) { error in
            XCTAssertEqual(error as? HDF5Error, HDF5Error(file: text, object: "", message: "not an HDF5 file (or truncated)"))
        }
    }
}
