import ChildProcesses
import CZlib
import Datasets
import Foundation
import VoxelGeometry
import XCTest

/// The command line on hostile files (Fixtures/Hostile, written by make_hostile.py, and bombs
/// made here): under a 4 GiB address-space limit, each one ends within 20 s with one line
/// naming the file and the field (or the flag) at fault, an exit status from 1 to 127 (never
/// a signal: a trap is a defect), and nothing written.
final class HostileInputTests: XCTestCase {
    private static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Hostile")

    /// What a hostile input must produce.
    private enum Expected {
        /// A data error: exit 1 and the single line "Error: <at>: ..." that mentions `mentions`.
        case data(at: String, mentions: String)
        /// A usage error: exit 64 and one line that names the flag.
        case usage(flag: String)

        /// An error about `field` of an image file: "<file>: <field>: ...".
        static func image(_ file: String, _ field: String, mentions: String) -> Expected { .data(at: "\(file): \(field)", mentions: mentions) }
    }

    /// Runs `sparseseg arguments` under `ulimit -v 4194304` in an empty directory `cwd` and
    /// checks how it ends; `outputs` are paths that must not exist afterwards.
    private func check(_ arguments: [String], _ expected: Expected, outputs: [String] = [], line: UInt = #line) throws {
        let binary = SmokeRunTests.executable.path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return XCTFail("\(binary) is missing: build with `swift build --build-tests` first", line: line)
        }
        let cwd = try temporaryDirectory()
        let start = ContinuousClock.now
        let (termination, output) = try ChildProcess.run(
            "/bin/sh", ["-c", "ulimit -v 4194304 && exec \"$0\" \"$@\"", binary] + arguments, directory: cwd, timeout: .seconds(20))
        let elapsed = ContinuousClock.now - start
        let context = "sparseseg \(arguments.joined(separator: " ")) -> \(termination): \(output)"
        guard case .exited(let status) = termination else { return XCTFail("ended by a signal: \(context)", line: line) }
        XCTAssertLessThan(elapsed, .seconds(20), context, line: line)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        switch expected {
        case .data(let at, let mentions):
            XCTAssertEqual(status, 1, context, line: line)
            XCTAssertEqual(lines.count, 1, "one line: \(context)", line: line)
            XCTAssertTrue(lines.first?.hasPrefix("Error: \(at): ") ?? false, "names \(at): \(context)", line: line)
            XCTAssertTrue(output.contains(mentions), "mentions \(mentions): \(context)", line: line)
        case .usage(let flag):
            XCTAssertEqual(status, 64, context, line: line)
            XCTAssertEqual(lines.count, 1, "one line: \(context)", line: line)
            XCTAssertTrue(lines.first?.hasPrefix("Error: \(flag) ") ?? false, "names \(flag): \(context)", line: line)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cwd), [], "wrote into its working directory: \(context)", line: line)
        for path in outputs {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "left \(path) behind: \(context)", line: line)
        }
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func testMetaImageHeadersThatLie() throws {
        let cases: [(String, String, String)] = [
            ("dimsize-overflow.mha", "DimSize", "overflow"),
            ("dimsize-int64-max.mha", "DimSize", "overflow"),
            ("dimsize-past-ceiling.mha", "DimSize", "--max-voxels"),
            // 8 GiB of Doubles: refused before the data is read (the 16 bytes there would be
            // refused too, but only after the allocation).
            ("dimsize-1024-cubed.mha", "DimSize", "of memory"),
            ("spacing-nan.mha", "ElementSpacing", "finite"),
            ("spacing-zero.mha", "ElementSpacing", "1e-6 to 1e6 mm"),
            ("spacing-1e308.mha", "ElementSpacing", "1e-6 to 1e6 mm"),
            ("compressed-size-negative.mha", "CompressedDataSize", "-5"),
            ("header-size-negative.mhd", "HeaderSize", "-5"),
        ]
        for (name, field, mentions) in cases {
            try check(["data", "inspect", fixture(name)], .image(fixture(name), field, mentions: mentions))
        }
        // The ceiling is a flag: lowered, it refuses a file the default accepts.
        try check(["data", "inspect", fixture("spacing-zero.mha"), "--max-voxels", "3"],
                  .image(fixture("spacing-zero.mha"), "DimSize", mentions: "more than the limit of 3"))
        try check(["data", "inspect", fixture("spacing-zero.mha"), "--max-voxels", "0"], .usage(flag: "--max-voxels"))
    }

    func testNIfTIHeadersThatLie() throws {
        let cases: [(String, String, String)] = [
            ("vox-offset-nan.nii", "vox_offset", "nan"),
            ("vox-offset-inf.nii", "vox_offset", "inf"),
            ("vox-offset-3e38.nii", "vox_offset", "3e+38"),
            ("dim-past-ceiling.nii", "dim", "--max-voxels"),
            ("pixdim-zero.nii", "pixdim", "1e-6 to 1e6 mm"),
            ("pixdim-nan.nii", "pixdim", "nan"),
        ]
        for (name, field, mentions) in cases {
            try check(["data", "inspect", fixture(name)], .image(fixture(name), field, mentions: mentions))
        }
    }

    /// A 1 MB stream of 1 GiB of zeros behind headers that declare 1000 bytes: inflated no
    /// further than declared, through `data inspect` and `data import`; and behind one that
    /// declares the whole GiB, refused for the memory its Doubles would take.
    func testCompressionBombsInflateNoFurtherThanTheHeaderDeclares() throws {
        let directory = try temporaryDirectory()
        let bomb = Self.zeroBomb(prefix: [], mebibytes: 1024, gzip: false)
        XCTAssertLessThan(bomb.count, 1_100_000)
        // The builder makes valid streams: a small one inflates to exactly what it should.
        for gzip in [false, true] {
            let small = Self.zeroBomb(prefix: [7, 8, 9], mebibytes: 3, gzip: gzip)
            XCTAssertEqual(try Zlib.decompress(small, file: "bomb", field: "test", expectedSize: 3 + 3 << 20), [7, 8, 9] + [UInt8](repeating: 0, count: 3 << 20))
        }
        try Data(bomb).write(to: URL(fileURLWithPath: directory + "/Case00.zraw"))
        func header(_ dims: String) -> String {
            "ObjectType = Image\nNDims = 3\nCompressedData = True\nDimSize = \(dims)\nElementType = MET_UCHAR\nElementDataFile = Case00.zraw\n"
        }
        try header("10 10 10").write(toFile: directory + "/Case00.mhd", atomically: true, encoding: .utf8)
        try header("1024 1024 1024").write(toFile: directory + "/big.mhd", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: directory + "/Case00.mhd", toPath: directory + "/Case00_segmentation.mhd")
        let zraw = directory + "/Case00.zraw"
        try check(["data", "inspect", directory + "/Case00.mhd"], .image(zraw, "CompressedData", mentions: "more than the 1000 bytes"))
        let out = try temporaryDirectory() + "/dataset.h5"
        try check(["data", "import", "promise12", directory, "--out", out, "--size", "16"],
                  .image(zraw, "CompressedData", mentions: "more than the 1000 bytes"), outputs: [out])
        try check(["data", "inspect", directory + "/big.mhd"], .image(directory + "/big.mhd", "DimSize", mentions: "of memory"))

        // A .nii.gz: a good header for 4 x 4 x 2 bytes, then the GiB of zeros.
        let header = try Array(Data(contentsOf: URL(fileURLWithPath: fixture("pixdim-zero.nii"))).prefix(352))
        var nifti = header
        nifti.replaceSubrange(80..<84, with: withUnsafeBytes(of: Float(1).bitPattern.littleEndian, Array.init))
        let gz = directory + "/bomb.nii.gz"
        try Data(Self.zeroBomb(prefix: nifti, mebibytes: 1024, gzip: true)).write(to: URL(fileURLWithPath: gz))
        try check(["data", "inspect", gz], .image(gz, "gzip", mentions: "more than the 384 bytes"))
    }

    func testEvaluateRefusesMasksThatAreNotFiniteWithOneLine() throws {
        for (name, mentions) in [("mask-nan.nii", "is nan"), ("mask-inf.nii", "is inf")] {
            for json in [[], ["--json"]] {
                try check(["evaluate", "--prediction", fixture(name), "--reference", fixture("mask-good.nii")] + json,
                          .image(fixture(name), "voxel data", mentions: mentions))
                try check(["evaluate", "--prediction", fixture("mask-good.nii"), "--reference", fixture(name)] + json,
                          .image(fixture(name), "voxel data", mentions: mentions))
            }
        }
        // Spacing 1e308 made every distance infinite (printed as inf and -nan, and fatal to
        // the JSON encoder); it is refused on reading.
        for json in [[], ["--json"]] {
            try check(["evaluate", "--prediction", fixture("spacing-1e308.mha"), "--reference", fixture("spacing-1e308.mha")] + json,
                      .image(fixture("spacing-1e308.mha"), "ElementSpacing", mentions: "1e-6 to 1e6 mm"))
        }
        // A data error, not a usage error: one line and exit 1, no usage text.
        let shorter = try temporaryDirectory() + "/shorter.nii"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("mask-good.nii")))
        bytes[46] = 1  // dim[3] = 1: half the slices
        try bytes.prefix(352 + 64).write(to: URL(fileURLWithPath: shorter))
        try check(["evaluate", "--prediction", shorter, "--reference", fixture("mask-good.nii")],
                  .image(shorter, "dim", mentions: "geometry mismatch"))
    }

    func testImportSizeIsBounded() throws {
        let directory = try temporaryDirectory()
        let out = try temporaryDirectory() + "/dataset.h5"
        for size in ["100000", "0", "15", "1025"] {
            try check(["data", "import", "promise12", directory, "--out", out, "--size", size], .usage(flag: "--size"), outputs: [out])
            try check(["data", "import", "decathlon", directory, "--out", out, "--size", size], .usage(flag: "--size"), outputs: [out])
            try check(["data", "synth", "--out", out, "--size", size], .usage(flag: "--size"), outputs: [out])
        }
    }

    func testExperimentFilesThatLie() throws {
        // "file:line: key: message"; without a key when the whole document is at fault.
        let cases: [(String, String, String)] = [
            ("epochs-past-int64.yaml", ":3: training.epochs", "64 bits"),
            ("seed-past-int64.yaml", ":1: seed", "64 bits"),
            ("name-is-a-path.yaml", ":1: name", "../../x"),
            ("billion-laughs.yaml", ":2", "anchors and aliases are not supported"),
        ]
        for (name, location, mentions) in cases {
            let run = try temporaryDirectory() + "/run"
            try check(["train", fixture(name), "--method", "fs-lcs", "--fold", "0", "--out", run],
                      .data(at: fixture(name) + location, mentions: mentions), outputs: [run])
            try check(["run", fixture(name), "--out", run], .data(at: fixture(name) + location, mentions: mentions), outputs: [run])
        }
        // Past the size limit: refused before it is parsed.
        let big = try temporaryDirectory() + "/big.yaml"
        try ("methods: [fs-lcs]\n" + String(repeating: "# padding\n", count: 500_000)).write(toFile: big, atomically: true, encoding: .utf8)
        try check(["train", big, "--method", "fs-lcs", "--fold", "0", "--out", big + ".run"], .data(at: big, mentions: "more than the 4194304"),
                  outputs: [big + ".run"])
    }

    /// A zlib (or gzip) stream that inflates to `prefix` and then `mebibytes` MiB of zeros,
    /// built in milliseconds: after a full flush every further MiB of zeros compresses to the
    /// same bytes, so they are copied rather than compressed again; the trailer's checksum is
    /// combined from the pieces'.
    static func zeroBomb(prefix: [UInt8], mebibytes: Int, gzip: Bool) -> [UInt8] {
        precondition(mebibytes >= 2)
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var stream = z_stream()
        precondition(sparseseg_deflateInit2(&stream, 9, Z_DEFLATED, gzip ? 31 : 15, 9, Z_RLE) == Z_OK)
        defer { deflateEnd(&stream) }
        func deflateAll(_ input: [UInt8], _ flush: Int32) -> [UInt8] {
            var input = input
            var output = [UInt8](repeating: 0, count: input.count + 1024)
            let produced = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = inBuffer.baseAddress
                    stream.avail_in = uInt(inBuffer.count)
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    _ = deflate(&stream, flush)
                    precondition(stream.avail_in == 0 && stream.avail_out > 0)
                    return outBuffer.count - Int(stream.avail_out)
                }
            }
            return Array(output.prefix(produced))
        }
        let first = deflateAll(prefix + chunk, Z_FULL_FLUSH)
        let repeated = deflateAll(chunk, Z_FULL_FLUSH)
        var bomb = first
        for _ in 1..<mebibytes { bomb += repeated }
        bomb += deflateAll([], Z_FINISH)
        // The trailer covers what this stream saw (two MiB); it is rewritten for all of them.
        let total = prefix.count + mebibytes << 20
        if gzip {
            var crc = (prefix + chunk).withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            let chunkCRC = chunk.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            for _ in 1..<mebibytes { crc = crc32_combine(crc, chunkCRC, .init(chunk.count)) }
            let trailer = withUnsafeBytes(of: UInt32(crc).littleEndian, Array.init) + withUnsafeBytes(of: UInt32(truncatingIfNeeded: total).littleEndian, Array.init)
            bomb.replaceSubrange((bomb.count - 8)..., with: trailer)
        } else {
            var adler = (prefix + chunk).withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }
            let chunkAdler = chunk.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }
            for _ in 1..<mebibytes { adler = adler32_combine(adler, chunkAdler, .init(chunk.count)) }
            bomb.replaceSubrange((bomb.count - 4)..., with: withUnsafeBytes(of: UInt32(adler).bigEndian, Array.init))
        }
        return bomb
    }
}
