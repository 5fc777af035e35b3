@testable import Datasets
import Foundation
import SharedTestSupport
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

    /// A MetaImage header with `lines` in place of DimSize, ElementType and what follows, and
    /// `data` after it.
    private func writeMetaImage(_ path: String, _ lines: [String], data: [UInt8] = []) throws {
        let header = (["ObjectType = Image", "NDims = 3"] + lines + ["ElementDataFile = LOCAL"]).joined(separator: "\n") + "\n"
        try Data(Array(header.utf8) + data).write(to: URL(fileURLWithPath: path))
    }

    func testMetaImageSizesAreCheckedBeforeAnythingIsAllocated() throws {
        let path = try temporaryDirectory(self) + "/a.mha"
        let cases: [([String], String, String)] = [
            (["DimSize = 3037000500 3037000500 1"], "DimSize", "overflow a 64-bit count"),
            (["DimSize = 9223372036854775807 2 1"], "DimSize", "overflow"),
            (["DimSize = 99999999999999999999 2 1"], "DimSize", "whole numbers below 2^63"),
            (["DimSize = 2.5 2 1"], "DimSize", "whole numbers"),
            (["DimSize = 2048 2048 1024"], "DimSize", "more than the limit of 2147483648"),
            (["ElementSpacing = nan 1 1", "DimSize = 2 2 1"], "ElementSpacing", "finite"),
            (["ElementSpacing = 1 inf 1", "DimSize = 2 2 1"], "ElementSpacing", "finite"),
            (["ElementSpacing = 1 1 0", "DimSize = 2 2 1"], "ElementSpacing", "1e-6 to 1e6 mm"),
            (["ElementSpacing = 1e308 1 1", "DimSize = 2 2 1"], "ElementSpacing", "1e-6 to 1e6 mm"),
            (["Offset = 0 nan 0", "DimSize = 2 2 1"], "Offset", "finite"),
            (["CompressedData = True", "CompressedDataSize = -1", "DimSize = 2 2 1"], "CompressedDataSize", "-1"),
            (["CompressedData = True", "CompressedDataSize = lots", "DimSize = 2 2 1"], "CompressedDataSize", "whole number"),
        ]
        for (lines, field, mentions) in cases {
            try writeMetaImage(path, lines + ["ElementType = MET_UCHAR"], data: [0, 0, 0, 0])
            assertError(try MetaImage.read(path), file: path, field: field, mentions: mentions)
        }
        // The ceiling is a parameter: a smaller one refuses a file the default reads.
        try writeMetaImage(path, ["DimSize = 2 2 1", "ElementType = MET_UCHAR"], data: [1, 2, 3, 4])
        XCTAssertEqual(try MetaImage.read(path).values, [1, 2, 3, 4])
        assertError(try MetaImage.read(path, limits: ImageLimits(maxVoxels: 3)), file: path, field: "DimSize", mentions: "more than the limit of 3")
        // Past the ceiling's reach, the memory a header asks for is refused before it is taken:
        // 2^40 voxels of Doubles are 8 TiB.
        try writeMetaImage(path, ["DimSize = 1048576 1048576 1", "ElementType = MET_UCHAR"], data: [1, 2, 3, 4])
        assertError(try MetaImage.read(path, limits: ImageLimits(maxVoxels: .max)), file: path, field: "DimSize", mentions: "of memory")
        // A negative HeaderSize of an external data file.
        let directory = try temporaryDirectory(self)
        try "NDims = 3\nHeaderSize = -7\nDimSize = 2 2 1\nElementType = MET_UCHAR\nElementDataFile = d.raw\n".write(toFile: directory + "/h.mhd", atomically: true, encoding: .utf8)
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: directory + "/d.raw"))
        assertError(try MetaImage.read(directory + "/h.mhd"), file: directory + "/h.mhd", field: "HeaderSize", mentions: "-7")
    }

    /// zlib data that inflates to far more than DimSize declares is stopped one byte past it.
    func testCompressedDataInflatesNoFurtherThanDeclared() throws {
        let path = try temporaryDirectory(self) + "/bomb.mha"
        let zeros = [UInt8](repeating: 0, count: 16 << 20)
        let stream = Zlib.compress(zeros, format: .zlib)
        XCTAssertLessThan(stream.count, 64 << 10)
        try writeMetaImage(path, ["CompressedData = True", "DimSize = 10 10 10", "ElementType = MET_UCHAR"], data: stream)
        assertError(try MetaImage.read(path), file: path, field: "CompressedData", mentions: "more than the 1000 bytes the header declares")
        // The inflater produces what was asked for and one byte more to tell, never the 16 MiB.
        let inflater = try Zlib.Inflater(stream, file: path, field: "CompressedData")
        XCTAssertEqual(try inflater.read(1000).count, 1000)
        XCTAssertThrowsError(try inflater.expectEnd(declared: 1000))
        XCTAssertEqual(inflater.produced, 1001)
        XCTAssertThrowsError(try Zlib.decompress(stream, file: "z", field: "f", expectedSize: 1000))
        XCTAssertEqual(try Zlib.decompress(stream, file: "z", field: "f", expectedSize: zeros.count), zeros)
        // A stream that ends, well formed, before the size DimSize declares names DimSize.
        try writeMetaImage(path, ["CompressedData = True", "DimSize = 2048 2048 5", "ElementType = MET_UCHAR"], data: stream)
        assertError(try MetaImage.read(path), file: path, field: "DimSize", mentions: "truncated")
    }

    /// A NIfTI-1 header for a 4 x 4 x 2 uint8 volume with one float field overwritten.
    private func niftiHeader(floatAt offset: Int? = nil, _ value: Float = 0, dims: [Int16] = [3, 4, 4, 2]) throws -> [UInt8] {
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: try temporaryNIfTI())).prefix(352))
        for (i, d) in (dims + [Int16](repeating: 1, count: 8 - dims.count)).enumerated() {
            bytes.replaceSubrange((40 + 2 * i)..<(42 + 2 * i), with: withUnsafeBytes(of: d.littleEndian, Array.init))
        }
        if let offset { bytes.replaceSubrange(offset..<(offset + 4), with: withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)) }
        return bytes
    }

    private func temporaryNIfTI() throws -> String {
        let path = try temporaryDirectory(self) + "/template.nii"
        try NIfTI.write(MedicalImage(size: [4, 4, 2], spacing: [1, 1, 1], elementType: .uint8, values: [Double](repeating: 0, count: 32)), to: path)
        return path
    }

    func testNIfTIHeaderFieldsAreCheckedBeforeAnythingIsAllocated() throws {
        let path = try temporaryDirectory(self) + "/a.nii"
        let cases: [(Int, Float, String, String)] = [
            (108, .nan, "vox_offset", "nan"),
            (108, .infinity, "vox_offset", "inf"),
            (108, 3e38, "vox_offset", "3e+38"),
            (108, 100, "vox_offset", "348"),
            (80, 0, "pixdim", "1e-6 to 1e6 mm"),
            (84, .nan, "pixdim", "nan"),
            (88, 3e38, "pixdim", "1e-6 to 1e6 mm"),
        ]
        for (offset, value, field, mentions) in cases {
            try Data(try niftiHeader(floatAt: offset, value) + [UInt8](repeating: 0, count: 32)).write(to: URL(fileURLWithPath: path))
            assertError(try NIfTI.read(path), file: path, field: field, mentions: mentions)
        }
        // 32767^4 voxels: past the ceiling and, without it, past any memory.
        try Data(try niftiHeader(dims: [4, 32767, 32767, 32767, 32767])).write(to: URL(fileURLWithPath: path))
        assertError(try NIfTI.read(path), file: path, field: "dim", mentions: "more than the limit")
        assertError(try NIfTI.read(path, limits: ImageLimits(maxVoxels: .max)), file: path, field: "dim", mentions: "of memory")
    }

    /// A .nii.gz is inflated as far as its header declares: more is an error, as is a stream
    /// that ends early; the chosen channel of a 4D file is the one returned.
    func testGzipInflatesNoFurtherThanTheHeaderDeclares() throws {
        let path = try temporaryDirectory(self) + "/a.nii.gz"
        let header = try niftiHeader()
        try Data(Zlib.compress(header + [UInt8](repeating: 0, count: 16 << 20), format: .gzip)).write(to: URL(fileURLWithPath: path))
        assertError(try NIfTI.read(path), file: path, field: "gzip", mentions: "more than the 384 bytes the header declares")
        try Data(Zlib.compress(header + [UInt8](repeating: 0, count: 20), format: .gzip)).write(to: URL(fileURLWithPath: path))
        assertError(try NIfTI.read(path), file: path, field: "dim", mentions: "truncated")
        try Data(Zlib.compress(Array(header.prefix(300)), format: .gzip)).write(to: URL(fileURLWithPath: path))
        assertError(try NIfTI.read(path), file: path, field: "header", mentions: "348")
        let channels = try niftiHeader(dims: [4, 4, 4, 2, 3])
        try Data(Zlib.compress(channels + (0..<96).map { UInt8($0) }, format: .gzip)).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try NIfTI.read(path, channel: 2).values, (64..<96).map(Double.init))
    }

    func testMasksAndImagesMustHoldFiniteValues() throws {
        let image = MedicalImage(size: [2, 2, 2], spacing: [1, 1, 1], elementType: .float32, values: [0, 1, 0, 1, .nan, 1, 0, .infinity])
        assertError(try image.labelVolume(file: "m.nii"), file: "m.nii", field: "voxel data", mentions: "voxel (x 0, y 0, z 1) is nan")
        assertError(try image.imageVolume(file: "i.nii"), file: "i.nii", field: "voxel data", mentions: "is nan")
        var huge = image
        huge.values = [0, 1, 0, 1, 0, 1, 0, 1e300]
        assertError(try huge.imageVolume(file: "i.nii"), file: "i.nii", field: "voxel data", mentions: "voxel (x 1, y 1, z 1) is 1e+300")
        XCTAssertEqual(try huge.labelVolume(file: "m.nii").voxels, [0, 1, 0, 1, 0, 1, 0, 255])
        // The non-throwing view reads NaN as background instead of trapping.
        XCTAssertEqual(image.labelVolume.voxels, [0, 1, 0, 1, 0, 1, 0, 255])
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
            case .importPromise12: ["data", "import", "promise12", data, "--out", out, "--size", "16"]
            case .importDecathlon: ["data", "import", "decathlon", data, "--out", out, "--size", "16"]
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
        let succeeded = try runProgram(binary, ["data", "import", "promise12", directory, "--out", out, "--size", "16"])
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
