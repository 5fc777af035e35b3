import Datasets
import Foundation
import XCTest

/// Each bad input gets an error naming the file and the field, and leaves no output behind.
final class BadInputTests: XCTestCase {
    private func assertError(_ expression: @autoclosure () throws -> some Any, file: String, field: String, mentions: String? = nil,
                             line: UInt = #line) {
        XCTAssertThrowsError(try expression(), line: line) { error in
            guard let error = error as? DataError else { return XCTFail("not a DataError: \(error)", line: line) }
            XCTAssertEqual(error.file, file, line: line)
            XCTAssertEqual(error.field, field, "\(error)", line: line)
            if let mentions { XCTAssertTrue(error.description.contains(mentions), "\(error)", line: line) }
        }
    }

    private func image() -> MedicalImage {
        MedicalImage(size: [4, 3, 2], spacing: [1, 1, 2], elementType: .int16, values: (0..<24).map(Double.init))
    }

    func testMetaImageErrors() throws {
        let directory = try temporaryDirectory(self)
        let header = directory + "/a.mhd", raw = directory + "/a.raw"
        try MetaImage.write(image(), to: header)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: raw))
        try bytes.prefix(40).write(to: URL(fileURLWithPath: raw))
        assertError(try MetaImage.read(header), file: raw, field: "DimSize", mentions: "truncated")
        try (bytes + bytes).write(to: URL(fileURLWithPath: raw))
        assertError(try MetaImage.read(header), file: raw, field: "DimSize", mentions: "too much")
        try FileManager.default.removeItem(atPath: raw)
        assertError(try MetaImage.read(header), file: raw, field: "ElementDataFile", mentions: "no such file")

        let text = try String(contentsOfFile: header, encoding: .utf8)
        try text.replacingOccurrences(of: "MET_SHORT", with: "MET_LONG_LONG").write(toFile: header, atomically: true, encoding: .utf8)
        assertError(try MetaImage.read(header), file: header, field: "ElementType", mentions: "MET_LONG_LONG")
        try text.replacingOccurrences(of: "DimSize = 4 3 2", with: "DimSize = 4 3").write(toFile: header, atomically: true, encoding: .utf8)
        assertError(try MetaImage.read(header), file: header, field: "DimSize")
        try text.replacingOccurrences(of: "ElementSpacing = 1.0 1.0 2.0", with: "ElementSpacing = 1 x 2").write(toFile: header, atomically: true, encoding: .utf8)
        assertError(try MetaImage.read(header), file: header, field: "ElementSpacing")
        assertError(try MetaImage.read(directory + "/missing.mha"), file: directory + "/missing.mha", field: "")

        let compressed = directory + "/c.mha"
        try MetaImage.write(image(), to: compressed, compressed: true)
        let full = try Data(contentsOf: URL(fileURLWithPath: compressed))
        try full.prefix(full.count - 10).write(to: URL(fileURLWithPath: compressed))
        assertError(try MetaImage.read(compressed), file: compressed, field: "CompressedDataSize", mentions: "truncated")
        let withoutSize = String(decoding: full, as: UTF8.self).contains("CompressedDataSize")
        XCTAssertTrue(withoutSize)
    }

    func testCorruptCompressedStreamsAreNamed() throws {
        let directory = try temporaryDirectory(self)
        let header = directory + "/z.mhd", zraw = directory + "/z.zraw"
        try MetaImage.write(image(), to: header, compressed: true)
        var stream = try Data(contentsOf: URL(fileURLWithPath: zraw))
        let text = try String(contentsOfFile: header, encoding: .utf8)
        let noSize = text.split(separator: "\n").filter { !$0.hasPrefix("CompressedDataSize") }.joined(separator: "\n") + "\n"
        try noSize.write(toFile: header, atomically: true, encoding: .utf8)
        try stream.prefix(stream.count / 2).write(to: URL(fileURLWithPath: zraw))
        assertError(try MetaImage.read(header), file: zraw, field: "CompressedData", mentions: "truncated")
        stream[4] ^= 0xFF
        stream[5] ^= 0xFF
        try stream.write(to: URL(fileURLWithPath: zraw))
        assertError(try MetaImage.read(header), file: zraw, field: "CompressedData")
    }

    func testNIfTIErrors() throws {
        let directory = try temporaryDirectory(self)
        let plain = directory + "/a.nii", gz = directory + "/b.nii.gz"
        try NIfTI.write(image(), to: plain)
        // A .gz name over an uncompressed file.
        try FileManager.default.copyItem(atPath: plain, toPath: gz)
        assertError(try NIfTI.read(gz), file: gz, field: "gzip", mentions: "not a gzip file")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: plain))
        try bytes.prefix(370).write(to: URL(fileURLWithPath: plain))
        assertError(try NIfTI.read(plain), file: plain, field: "dim", mentions: "truncated")
        try bytes.prefix(100).write(to: URL(fileURLWithPath: plain))
        assertError(try NIfTI.read(plain), file: plain, field: "header", mentions: "truncated")
        var badType = bytes
        badType[70] = 128  // datatype 128 = RGB24
        badType[71] = 0
        try badType.write(to: URL(fileURLWithPath: plain))
        assertError(try NIfTI.read(plain), file: plain, field: "datatype", mentions: "128")
        var notNIfTI = bytes
        notNIfTI[0] = 0
        try notNIfTI.write(to: URL(fileURLWithPath: plain))
        assertError(try NIfTI.read(plain), file: plain, field: "sizeof_hdr")
        // A gzip stream cut short.
        try NIfTI.write(image(), to: gz)
        let compressed = try Data(contentsOf: URL(fileURLWithPath: gz))
        try compressed.prefix(compressed.count / 2).write(to: URL(fileURLWithPath: gz))
        assertError(try NIfTI.read(gz), file: gz, field: "gzip", mentions: "truncated")
        try NIfTI.write(image(), to: gz)
        assertError(try NIfTI.read(gz, channel: 1), file: gz, field: "dim[4]")
    }

    func testImportErrorsNameTheFileAndLeaveNoOutput() throws {
        let directory = try temporaryDirectory(self)
        let empty = directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        assertError(try Importer.promise12(empty), file: empty, field: "", mentions: "no PROMISE12 images")
        assertError(try Importer.decathlon(empty), file: empty + "/imagesTr", field: "", mentions: "no such directory")
        assertError(try Importer.promise12(directory + "/nowhere"), file: directory + "/nowhere", field: "")

        let data = directory + "/promise"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try ImportFixtures.promise12(data, cases: 2)
        // A mask of another size.
        var (_, mask) = ImportFixtures.pair()
        mask = MedicalImage(size: [20, 16, 4], spacing: mask.spacing, origin: mask.origin, elementType: .uint8, values: Array(mask.values.prefix(1280)))
        try MetaImage.write(mask, to: data + "/Case01_segmentation.mhd")
        assertError(try Importer.promise12(data), file: data + "/Case01_segmentation.mhd", field: "DimSize", mentions: "Case01.mhd")
        // A mask of another spacing.
        let (_, shifted) = ImportFixtures.pair(spacing: [0.4, 0.5, 3.0])
        try MetaImage.write(shifted, to: data + "/Case01_segmentation.mhd")
        assertError(try Importer.promise12(data), file: data + "/Case01_segmentation.mhd", field: "ElementSpacing")
        try FileManager.default.removeItem(atPath: data + "/Case01_segmentation.mhd")
        assertError(try Importer.promise12(data), file: data + "/Case01_segmentation.mhd", field: "", mentions: "missing")
        try "Case00\n".write(toFile: data + "/sites.csv", atomically: true, encoding: .utf8)
        assertError(try Importer.promise12(data), file: data + "/sites.csv", field: "line 1")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasSuffix(".h5") || $0.contains(".tmp") })
    }

    /// The command line: a bad import exits non-zero with the file and field in its message
    /// and writes nothing; a good one writes the file.
    func testTheCommandLineFailsCleanly() throws {
        let binary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("sparseseg").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("the sparseseg executable is not built beside the tests (\(binary)): the CLI check did not run")
        }
        let directory = try temporaryDirectory(self)
        try ImportFixtures.promise12(directory, cases: 2)
        let raw = directory + "/Case01.raw"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: raw))
        try bytes.prefix(100).write(to: URL(fileURLWithPath: raw))
        let out = directory + "/out.h5"
        let failed = try runProgram(binary, ["data", "import", "promise12", directory, "--out", out, "--size", "8"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.output.contains(raw) && failed.output.contains("DimSize"), failed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.contains(".tmp") })

        let notGzip = directory + "/x.nii.gz"
        try Data(repeating: 7, count: 400).write(to: URL(fileURLWithPath: notGzip))
        let inspect = try runProgram(binary, ["data", "inspect", notGzip])
        XCTAssertNotEqual(inspect.status, 0)
        XCTAssertTrue(inspect.output.contains("gzip"), inspect.output)

        try bytes.write(to: URL(fileURLWithPath: raw))
        let succeeded = try runProgram(binary, ["data", "import", "promise12", directory, "--out", out, "--size", "8"])
        XCTAssertEqual(succeeded.status, 0, succeeded.output)
        let json = try runProgram(binary, ["data", "inspect", directory + "/Case00.mhd", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let summary = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["size"] as? [Int], [20, 16, 5])
        XCTAssertEqual(summary?["type"] as? String, "int16")
        XCTAssertEqual(summary?["max"] as? Double, 30000)
        XCTAssertNotNil(summary?["spacing"])
        XCTAssertNotNil(summary?["min"])
        XCTAssertNotNil(summary?["mean"])
    }
}
