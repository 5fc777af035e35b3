import Foundation

/// NIfTI-1 (`.nii`, `.nii.gz`): single-file images of 2 to 4 dimensions.
///
/// Read: datatypes uint8, int8, int16, uint16, int32, uint32, float32, float64, either byte
/// order; scl_slope/scl_inter (a scaled image reads as float32 values); pixdim with the spatial
/// unit of xyzt_units; the orientation from the sform when sform_code > 0, else the qform when
/// qform_code > 0, else pixdim alone; 4D files give the volume of one chosen channel.
/// Orientation is converted from NIfTI's RAS to the LPS convention of ITK and MetaImage.
public enum NIfTI {
    static let typeCodes: [(Int16, ElementType)] = [
        (2, .uint8), (256, .int8), (4, .int16), (512, .uint16), (8, .int32), (768, .uint32), (16, .float32), (64, .float64),
    ]

    // MARK: Reading

    /// Reads a `.nii` or `.nii.gz` file; `channel` picks the volume of a 4D file. The header is
    /// checked against `limits` before any voxel is read; a `.nii.gz` stream is inflated
    /// piece by piece, no further than the header declares.
    public static func read(_ path: String, channel: Int = 0, limits: ImageLimits = ImageLimits()) throws -> MedicalImage {
        let file = try readBytes(path, field: "header")
        // The whole file, or the inflater of a .nii.gz whose header and data are taken from it
        // once the header has said how much data there is.
        var bytes = file
        var inflater: Zlib.Inflater?
        if path.lowercased().hasSuffix(".gz") {
            guard Zlib.isGzip(file) else {
                let magic = file.prefix(2).map { String(format: "%02x", $0) }.joined(separator: " ")
                throw DataError(file: path, field: "gzip", message: "not a gzip file (magic bytes \(magic.isEmpty ? "none" : magic), expected 1f 8b)")
            }
            let stream = try Zlib.Inflater(file, file: path, field: "gzip")
            bytes = try stream.read(348)
            inflater = stream
        }
        guard bytes.count >= 348 else {
            throw DataError(file: path, field: "header", message: "file holds \(bytes.count) bytes, a NIfTI-1 header needs 348 (truncated?)")
        }
        let header = HeaderReader(bytes: bytes, bigEndian: false)
        var reader = header
        if header.int32(0) != 348 {
            reader = HeaderReader(bytes: bytes, bigEndian: true)
            guard reader.int32(0) == 348 else {
                if header.int32(0) == 540 || reader.int32(0) == 540 {
                    throw DataError(file: path, field: "sizeof_hdr", message: "NIfTI-2 files are not supported")
                }
                throw DataError(file: path, field: "sizeof_hdr", message: "expected 348, found \(header.int32(0)) (not a NIfTI-1 file)")
            }
        }
        let magic = Array(bytes[344..<347])
        guard magic == Array("n+1".utf8) || magic == Array("ni1".utf8) else {
            throw DataError(file: path, field: "magic", message: "expected \"n+1\", found \(magic)")
        }
        guard magic == Array("n+1".utf8) else {
            throw DataError(file: path, field: "magic", message: "two-file NIfTI (.hdr/.img) is not supported")
        }
        let dim = (0..<8).map { Int(reader.int16(40 + 2 * $0)) }
        var rank = dim[0]
        // Trailing dimensions of size 1 (5D files from some tools) change nothing.
        while rank > 4 && rank < 8 && dim[rank] == 1 { rank -= 1 }
        guard (2...4).contains(rank) else {
            throw DataError(file: path, field: "dim[0]", message: "only 2D, 3D and 4D images are supported, found \(rank) dimensions")
        }
        guard dim[1...rank].allSatisfy({ $0 > 0 }) else {
            throw DataError(file: path, field: "dim", message: "sizes must be positive, found \(Array(dim[1...rank]))")
        }
        let channels = rank == 4 ? dim[4] : 1
        guard channel >= 0 && channel < channels else {
            throw DataError(file: path, field: "dim[4]", message: "channel \(channel) requested, the file has \(channels)")
        }
        let code = reader.int16(70)
        guard let stored = typeCodes.first(where: { $0.0 == code })?.1 else {
            throw DataError(file: path, field: "datatype", message: "unsupported datatype code \(code) (supported: uint8, int8, int16, uint16, int32, uint32, float32, float64)")
        }
        let spatialRank = min(rank, 3)
        let size = Array(dim[1...spatialRank])
        let unitScale: Double = switch Int(bytes[123]) & 0x07 {
        case 1: 1000  // metres
        case 3: 0.001  // micrometres
        default: 1  // millimetres, or unknown: NIfTI's usual default
        }
        let pixdim = (0..<8).map { Double(reader.float32(76 + 4 * $0)) }
        let spacing = (1...spatialRank).map { abs(pixdim[$0]) * unitScale }
        try ImageLimits.checkSpacing(spacing, file: path, field: "pixdim")
        // A float in the header: NaN, infinities and 3e38 would trap in Int(_:).
        let voxOffsetValue = reader.float32(108)
        guard voxOffsetValue.isFinite, voxOffsetValue >= 348, voxOffsetValue <= Float(Int32.max) else {
            throw DataError(file: path, field: "vox_offset", message: "expected a byte offset from 348 to \(Int32.max), found \(voxOffsetValue)")
        }
        let voxOffset = Int(voxOffsetValue)
        let perChannel = try limits.voxelCount(Array(dim[1...rank]), file: path, field: "dim") / channels
        let channelBytes = try ImageLimits.bytes(perChannel, each: stored.byteSize, file: path, field: "dim")
        let dataBytes = try ImageLimits.bytes(perChannel * channels, each: stored.byteSize, file: path, field: "dim")
        let needed = try ImageLimits.bytes(dataBytes, each: 1, plus: voxOffset, file: path, field: "dim")
        let valueBytes = try ImageLimits.bytes(perChannel, each: MemoryLayout<Double>.size, plus: inflater == nil ? 0 : channelBytes, file: path, field: "dim")
        try ImageLimits.checkMemory(valueBytes, for: "dim \(Array(dim[1...rank])) of \(stored)", file: path, field: "dim")

        func truncated(holding held: Int) -> DataError {
            DataError(file: path, field: "dim", message: "dim \(Array(dim[1...rank])) of \(stored) needs \(dataBytes) data bytes after vox_offset \(voxOffset), the file holds \(max(held, 0)) (truncated?)")
        }
        var dataOffset = voxOffset + channel * channelBytes
        if let inflater {
            // Only the chosen channel is kept; the extensions and other channels are skipped.
            let before = voxOffset - 348 + channel * channelBytes
            let skipped = try inflater.skip(before)
            let data = try inflater.read(channelBytes)
            let after = try inflater.skip(dataBytes - channelBytes * (channel + 1))
            guard skipped == before, data.count == channelBytes, after == dataBytes - channelBytes * (channel + 1) else {
                throw truncated(holding: inflater.produced - voxOffset)
            }
            try inflater.expectEnd(declared: needed)
            bytes = data
            dataOffset = 0
        } else if bytes.count < needed {
            throw truncated(holding: bytes.count - voxOffset)
        }
        var values = stored.decode(bytes, offset: dataOffset, count: perChannel, bigEndian: reader.bigEndian)
        var elementType = stored
        let slope = Double(reader.float32(112)), intercept = Double(reader.float32(116))
        if slope != 0 && slope.isFinite && intercept.isFinite && !(slope == 1 && intercept == 0) {
            values = values.map { $0 * slope + intercept }
            if stored != .float64 { elementType = .float32 }
        }

        // The RAS affine: columns are the voxel axes scaled by spacing, then the translation.
        var affine = [Double](repeating: 0, count: 12)
        if reader.int16(254) > 0 {
            for i in 0..<12 { affine[i] = Double(reader.float32(280 + 4 * i)) * unitScale }
        } else if reader.int16(252) > 0 {
            let q = (b: Double(reader.float32(256)), c: Double(reader.float32(260)), d: Double(reader.float32(264)))
            let rotation = quaternionToMatrix(b: q.b, c: q.c, d: q.d)
            let qfac: Double = pixdim[0] < 0 ? -1 : 1
            let fullSpacing = (1...3).map { abs(pixdim[$0]) * unitScale }
            for r in 0..<3 {
                for c in 0..<3 { affine[4 * r + c] = rotation[3 * r + c] * fullSpacing[c] * (c == 2 ? qfac : 1) }
                affine[4 * r + 3] = Double(reader.float32(268 + 4 * r)) * unitScale
            }
        } else {
            for r in 0..<3 { affine[4 * r + r] = r < spatialRank ? spacing[r] : 1 }
        }
        var direction3 = [Double](repeating: 0, count: 9)
        for c in 0..<3 {
            let norm = (0..<3).map { affine[4 * $0 + c] * affine[4 * $0 + c] }.reduce(0, +).squareRoot()
            for r in 0..<3 {
                // RAS to LPS: flip the signs of the first two world axes.
                let flip: Double = r < 2 ? -1 : 1
                direction3[3 * r + c] = norm > 0 ? flip * affine[4 * r + c] / norm : (r == c ? 1 : 0)
            }
        }
        let origin3 = [-affine[3], -affine[7], affine[11]]
        guard (direction3 + origin3).allSatisfy(\.isFinite) else {
            let field = reader.int16(254) > 0 ? "srow_x/srow_y/srow_z" : "quatern_b/c/d/qoffset"
            throw DataError(file: path, field: field, message: "the orientation is not finite: affine \(affine)")
        }
        if spatialRank == 2 {
            return MedicalImage(size: size, spacing: spacing, origin: Array(origin3.prefix(2)),
                                direction: [direction3[0], direction3[1], direction3[3], direction3[4]],
                                elementType: elementType, values: values)
        }
        return MedicalImage(size: size, spacing: spacing, origin: origin3, direction: direction3, elementType: elementType, values: values)
    }

    struct HeaderReader {
        let bytes: [UInt8]
        let bigEndian: Bool

        func bits(_ offset: Int, _ count: Int) -> UInt32 {
            var value: UInt32 = 0
            for i in 0..<count { value = (value << 8) | UInt32(bytes[offset + (bigEndian ? i : count - 1 - i)]) }
            return value
        }
        func int16(_ offset: Int) -> Int16 { Int16(bitPattern: UInt16(bits(offset, 2))) }
        func int32(_ offset: Int) -> Int32 { Int32(bitPattern: bits(offset, 4)) }
        func float32(_ offset: Int) -> Float { Float(bitPattern: bits(offset, 4)) }
    }

    /// The rotation matrix (row-major) of the unit quaternion (a, b, c, d), a computed from
    /// b, c, d as in the NIfTI-1 standard.
    static func quaternionToMatrix(b: Double, c: Double, d: Double) -> [Double] {
        var (a, b, c, d) = (1 - (b * b + c * c + d * d), b, c, d)
        if a < 1e-7 {
            // Not a unit quaternion: the standard normalises (b, c, d) and takes a 180-degree turn.
            let scale = 1 / (b * b + c * c + d * d).squareRoot()
            (a, b, c, d) = (0, b * scale, c * scale, d * scale)
        } else {
            a = a.squareRoot()
        }
        return [
            a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
            2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
            2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b,
        ]
    }

    /// The quaternion (b, c, d) and qfac of a direction matrix (row-major, orthonormal columns),
    /// following the NIfTI-1 reference implementation.
    static func matrixToQuaternion(_ m: [Double]) -> (b: Double, c: Double, d: Double, qfac: Double) {
        var r = m
        let det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6])
        var qfac = 1.0
        if det < 0 {
            qfac = -1
            r[2] = -r[2]; r[5] = -r[5]; r[8] = -r[8]
        }
        var a = r[0] + r[4] + r[8] + 1, b: Double, c: Double, d: Double
        if a > 0.5 {
            a = 0.5 * a.squareRoot()
            b = 0.25 * (r[7] - r[5]) / a
            c = 0.25 * (r[2] - r[6]) / a
            d = 0.25 * (r[3] - r[1]) / a
        } else {
            let xd = 1 + r[0] - (r[4] + r[8]), yd = 1 + r[4] - (r[0] + r[8]), zd = 1 + r[8] - (r[0] + r[4])
            if xd > 1 {
                b = 0.5 * xd.squareRoot(); c = 0.25 * (r[1] + r[3]) / b; d = 0.25 * (r[2] + r[6]) / b; a = 0.25 * (r[7] - r[5]) / b
            } else if yd > 1 {
                c = 0.5 * yd.squareRoot(); b = 0.25 * (r[1] + r[3]) / c; d = 0.25 * (r[5] + r[7]) / c; a = 0.25 * (r[2] - r[6]) / c
            } else {
                d = 0.5 * zd.squareRoot(); b = 0.25 * (r[2] + r[6]) / d; c = 0.25 * (r[5] + r[7]) / d; a = 0.25 * (r[3] - r[1]) / d
            }
            if a < 0 { (b, c, d) = (-b, -c, -d) }
        }
        return (b, c, d, qfac)
    }

    // MARK: Writing

    /// Writes `image` as NIfTI-1, gzip-compressed when the name ends in `.gz`, with both qform
    /// and sform set (code 1, scanner coordinates) and spacing in mm. Written to a temporary
    /// file and renamed into place.
    public static func write(_ image: MedicalImage, to path: String) throws {
        let n = image.dimensions
        var header = [UInt8](repeating: 0, count: 352)
        func put16(_ offset: Int, _ value: Int16) {
            let bits = UInt16(bitPattern: value)
            header[offset] = UInt8(bits & 0xFF); header[offset + 1] = UInt8(bits >> 8)
        }
        func put32(_ offset: Int, _ bits: UInt32) {
            for i in 0..<4 { header[offset + i] = UInt8((bits >> (8 * UInt32(i))) & 0xFF) }
        }
        func putFloat(_ offset: Int, _ value: Double) { put32(offset, Float(value).bitPattern) }

        put32(0, 348)
        header[38] = UInt8(ascii: "r")
        put16(40, Int16(n))
        for i in 0..<8 { if i >= 1 { put16(40 + 2 * i, i <= n ? Int16(image.size[i - 1]) : 1) } }
        let code = typeCodes.first { $0.1 == image.elementType }!.0
        put16(70, code)
        put16(72, Int16(8 * image.elementType.byteSize))
        // The LPS direction and origin, padded to 3D, turned into NIfTI's RAS affine.
        let lpsDirection = n == 3 ? image.direction
            : [image.direction[0], image.direction[1], 0, image.direction[2], image.direction[3], 0, 0, 0, 1]
        let origin = n == 3 ? image.origin : image.origin + [0]
        let spacing = image.spacing + (n == 2 ? [1] : [])
        var ras = lpsDirection
        for c in 0..<3 { ras[c] = -ras[c]; ras[3 + c] = -ras[3 + c] }
        let rasOrigin = [-origin[0], -origin[1], origin[2]]
        let q = matrixToQuaternion(ras)
        putFloat(76, q.qfac)
        for i in 0..<3 { putFloat(80 + 4 * i, spacing[i]) }
        for i in 3..<7 { putFloat(80 + 4 * i, 1) }
        putFloat(108, 352)  // vox_offset
        putFloat(112, 1)  // scl_slope
        putFloat(116, 0)  // scl_inter
        header[123] = 2  // xyzt_units: millimetres
        put16(252, 1)  // qform_code: scanner
        put16(254, 1)  // sform_code: scanner
        putFloat(256, q.b); putFloat(260, q.c); putFloat(264, q.d)
        for i in 0..<3 { putFloat(268 + 4 * i, rasOrigin[i]) }
        for r in 0..<3 {
            for c in 0..<3 { putFloat(280 + 16 * r + 4 * c, ras[3 * r + c] * spacing[c]) }
            putFloat(280 + 16 * r + 12, rasOrigin[r])
        }
        for (i, byte) in "n+1".utf8.enumerated() { header[344 + i] = byte }
        var file = header + image.elementType.encode(image.values, bigEndian: false)
        if path.lowercased().hasSuffix(".gz") { file = Zlib.compress(file, format: .gzip) }
        try writeBytesAtomically(file, to: path)
    }
}
