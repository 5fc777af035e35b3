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
        assertError(try MetaImage.read(directory + "/missing.mha"), file: directory + "/missing.mha", field: "header", mentions: "no such file")

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
        assertError(try Importer.promise12(empty), file: empty, field: "CaseNN.mhd", mentions: "no PROMISE12 images")
        assertError(try Importer.decathlon(empty), file: empty + "/imagesTr", field: "imagesTr", mentions: "no such directory")
        try FileManager.default.createDirectory(atPath: empty + "/imagesTr", withIntermediateDirectories: true)
        assertError(try Importer.decathlon(empty), file: empty + "/imagesTr", field: "imagesTr", mentions: "no NIfTI images")
        assertError(try Importer.promise12(directory + "/nowhere"), file: directory + "/nowhere", field: "CaseNN.mhd", mentions: "no such directory")

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
        assertError(try Importer.promise12(data), file: data + "/Case01_segmentation.mhd", field: "CaseNN_segmentation.mhd", mentions: "missing")
        try "Case00\n".write(toFile: data + "/sites.csv", atomically: true, encoding: .utf8)
        assertError(try Importer.promise12(data), file: data + "/sites.csv", field: "line 1")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasSuffix(".h5") || $0.contains(".tmp") })
    }

    /// A bad input as the command line meets it: the fixture it starts from, how it is broken,
    /// the command run on it and the file (relative to the fixture) and field the error names.
    private struct BadInput {
        enum Layout { case promise12, decathlon }
        enum Command { case importPromise12, importDecathlon, inspect(String) }
        let name: String
        let layout: Layout
        let command: Command
        let file: String
        let field: String
        let damage: (String) throws -> Void
    }

    private static func truncate(_ path: String, to count: Int) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(count).write(to: URL(fileURLWithPath: path))
    }

    private static func edit(_ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        precondition(text.contains(old), "\(path) does not hold \"\(old)\"")
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func remove(_ directory: String, _ names: String...) throws {
        for name in names { try FileManager.default.removeItem(atPath: directory + "/" + name) }
    }

    /// Every bad input the issue lists, through `data import` and, for single files, `data inspect`.
    private static var badInputs: [BadInput] {
        let truncated: (String) throws -> Void = { try truncate($0 + "/Case01.raw", to: 100) }
        let missingData: (String) throws -> Void = { try remove($0, "Case01.raw") }
        let unknownType: (String) throws -> Void = { try edit($0 + "/Case01.mhd", "MET_SHORT", "MET_LONG_LONG") }
        let notGzip: (String) throws -> Void = { try Data(repeating: 7, count: 400).write(to: URL(fileURLWithPath: $0 + "/imagesTr/prostate_00.nii.gz")) }
        let image = "imagesTr/prostate_00.nii.gz"
        return [
            BadInput(name: "truncated data file", layout: .promise12, command: .importPromise12, file: "Case01.raw", field: "DimSize", damage: truncated),
            BadInput(name: "truncated data file", layout: .promise12, command: .inspect("Case01.mhd"), file: "Case01.raw", field: "DimSize", damage: truncated),
            BadInput(name: "missing data file", layout: .promise12, command: .importPromise12, file: "Case01.raw", field: "ElementDataFile", damage: missingData),
            BadInput(name: "missing data file", layout: .promise12, command: .inspect("Case01.mhd"), file: "Case01.raw", field: "ElementDataFile", damage: missingData),
            BadInput(name: "missing image file", layout: .promise12, command: .inspect("Case07.mha"), file: "Case07.mha", field: "header", damage: { _ in }),
            BadInput(name: "DimSize larger than the data", layout: .promise12, command: .importPromise12, file: "Case01.raw", field: "DimSize",
                     damage: { try edit($0 + "/Case01.mhd", "DimSize = 20 16 5", "DimSize = 20 16 6") }),
            BadInput(name: "DimSize smaller than the data", layout: .promise12, command: .importPromise12, file: "Case01.raw", field: "DimSize",
                     damage: { try edit($0 + "/Case01.mhd", "DimSize = 20 16 5", "DimSize = 20 16 4") }),
            BadInput(name: "unknown ElementType", layout: .promise12, command: .importPromise12, file: "Case01.mhd", field: "ElementType", damage: unknownType),
            BadInput(name: "unknown ElementType", layout: .promise12, command: .inspect("Case01.mhd"), file: "Case01.mhd", field: "ElementType", damage: unknownType),
            BadInput(name: "mask of another size", layout: .promise12, command: .importPromise12, file: "Case01_segmentation.mhd", field: "DimSize",
                     damage: { try edit($0 + "/Case01_segmentation.mhd", "DimSize = 20 16 5", "DimSize = 16 20 5") }),
            BadInput(name: "mask of another spacing", layout: .promise12, command: .importPromise12, file: "Case01_segmentation.mhd", field: "ElementSpacing",
                     damage: { try edit($0 + "/Case01_segmentation.mhd", "ElementSpacing = 0.4 0.5 3.6", "ElementSpacing = 0.4 0.5 3.0") }),
            BadInput(name: "missing mask", layout: .promise12, command: .importPromise12, file: "Case01_segmentation.mhd", field: "CaseNN_segmentation.mhd",
                     damage: { try remove($0, "Case01_segmentation.mhd", "Case01_segmentation.raw") }),
            BadInput(name: "empty directory", layout: .promise12, command: .importPromise12, file: "", field: "CaseNN.mhd",
                     damage: { directory in for name in try FileManager.default.contentsOfDirectory(atPath: directory) { try remove(directory, name) } }),
            BadInput(name: ".gz that is not gzip", layout: .decathlon, command: .importDecathlon, file: image, field: "gzip", damage: notGzip),
            BadInput(name: ".gz that is not gzip", layout: .decathlon, command: .inspect(image), file: image, field: "gzip", damage: notGzip),
            BadInput(name: "truncated gzip stream", layout: .decathlon, command: .importDecathlon, file: image, field: "gzip",
                     damage: { try truncate($0 + "/" + image, to: 200) }),
            BadInput(name: "label of another spacing", layout: .decathlon, command: .importDecathlon, file: "labelsTr/prostate_00.nii.gz", field: "pixdim",
                     damage: { directory in
                         var mask = ImportFixtures.pair().mask
                         mask.spacing[2] = 3.0
                         try NIfTI.write(mask, to: directory + "/labelsTr/prostate_00.nii.gz")
                     }),
            BadInput(name: "missing label", layout: .decathlon, command: .importDecathlon, file: "labelsTr/prostate_00.nii.gz", field: "labelsTr",
                     damage: { try remove($0, "labelsTr/prostate_00.nii.gz") }),
            BadInput(name: "empty imagesTr", layout: .decathlon, command: .importDecathlon, file: "imagesTr", field: "imagesTr",
                     damage: { try remove($0, image) }),
            BadInput(name: "empty directory", layout: .decathlon, command: .importDecathlon, file: "imagesTr", field: "imagesTr",
                     damage: { try remove($0, "imagesTr", "labelsTr") }),
        ]
    }

    /// The command line: each bad input exits non-zero with "file: field:" in its message,
    /// and leaves neither the output file nor a temporary one behind.
    func testTheCommandLineRejectsEveryBadInputAndWritesNothing() throws {
        let binary = try sparsesegExecutable()
        for bad in Self.badInputs {
            let root = try temporaryDirectory(self)
            let data = root + "/data", outDirectory = root + "/out"
            for directory in [data, outDirectory] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            switch bad.layout {
            case .promise12: try ImportFixtures.promise12(data, cases: 2)
            case .decathlon: try ImportFixtures.decathlon(data)
            }
            try bad.damage(data)
            let out = outDirectory + "/dataset.h5"
            let arguments: [String] = switch bad.command {
            case .importPromise12: ["data", "import", "promise12", data, "--out", out, "--size", "8"]
            case .importDecathlon: ["data", "import", "decathlon", data, "--out", out, "--size", "8"]
            case .inspect(let file): ["data", "inspect", data + "/" + file]
            }
            let context = "\(bad.name) (\(arguments[1]))"
            let result = try runProgram(binary, arguments)
            XCTAssertNotEqual(result.status, 0, "\(context): \(result.output)")
            let file = bad.file.isEmpty ? data : data + "/" + bad.file
            XCTAssertTrue(result.output.contains("\(file): \(bad.field): "), "\(context) should name \(file) and \(bad.field): \(result.output)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDirectory), [], context)
            XCTAssertFalse(try FileManager.default.subpathsOfDirectory(atPath: data).contains { $0.hasSuffix(".h5") || $0.contains(".tmp") }, context)
        }
    }

    /// The command line on good input: an import writes its file, an image's JSON summary holds
    /// the documented keys.
    func testTheCommandLineImportsAndInspectsGoodInput() throws {
        let binary = try sparsesegExecutable()
        let directory = try temporaryDirectory(self)
        try ImportFixtures.promise12(directory, cases: 2)
        let out = directory + "/out.h5"
        let succeeded = try runProgram(binary, ["data", "import", "promise12", directory, "--out", out, "--size", "8"])
        XCTAssertEqual(succeeded.status, 0, succeeded.output)
        XCTAssertEqual(try DatasetFile.header(out).caseIDs, ["Case00", "Case01"])
        let json = try runProgram(binary, ["data", "inspect", directory + "/Case00.mhd", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let summary = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["size"] as? [Int], [20, 16, 5])
        XCTAssertEqual(summary?["type"] as? String, "int16")
        XCTAssertEqual(summary?["max"] as? Double, 30000)
        XCTAssertEqual(summary?["spacing"] as? [Double], [0.4, 0.5, 3.6])
        XCTAssertNotNil(summary?["min"])
        XCTAssertNotNil(summary?["mean"])
    }
}
