import Foundation

/// MetaImage (ITK's `.mhd` header with an external `.raw`/`.zraw` data file, or a single `.mha`
/// with `ElementDataFile = LOCAL`): 2D and 3D images of one channel.
///
/// Read: NDims, DimSize, ElementType (MET_UCHAR, MET_CHAR, MET_USHORT, MET_SHORT, MET_UINT,
/// MET_INT, MET_FLOAT, MET_DOUBLE), BinaryDataByteOrderMSB (or ElementByteOrderMSB),
/// CompressedData (zlib or gzip), HeaderSize, ElementSpacing (or, without it, ElementSize),
/// Offset (or Origin, Position), TransformMatrix (or Rotation, Orientation).
public enum MetaImage {
    static let typeNames: [(String, ElementType)] = [
        ("MET_UCHAR", .uint8), ("MET_CHAR", .int8), ("MET_USHORT", .uint16), ("MET_SHORT", .int16),
        ("MET_UINT", .uint32), ("MET_INT", .int32), ("MET_FLOAT", .float32), ("MET_DOUBLE", .float64),
    ]

    /// The MetaImage name of an element type, for example MET_SHORT.
    public static func typeName(_ type: ElementType) -> String {
        typeNames.first { $0.1 == type }!.0
    }

    // MARK: Reading

    /// Reads a `.mhd` (with its data file) or `.mha` image. The header is checked against
    /// `limits` before any voxel is read: sizes and spacings, the voxel count and the memory
    /// the image needs; compressed data is inflated no further than DimSize declares.
    public static func read(_ path: String, limits: ImageLimits = ImageLimits()) throws -> MedicalImage {
        // A missing header is reported as such, apart from a missing ElementDataFile it names.
        let bytes = try readBytes(path, field: "header")
        let (header, dataStart) = try parseHeader(bytes, path: path)
        func value(_ keys: String...) -> (key: String, value: String)? {
            for key in keys { if let v = header[key.lowercased()] { return (key, v) } }
            return nil
        }
        func parts(_ key: String, _ text: String, count: Int) throws -> [Substring] {
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == count else {
                throw DataError(file: path, field: key, message: "expected \(count) numbers, found \"\(text)\"")
            }
            return parts
        }
        func numbers(_ key: String, _ text: String, count: Int) throws -> [Double] {
            let numbers = try parts(key, text, count: count).compactMap { Double($0) }
            guard numbers.count == count, numbers.allSatisfy(\.isFinite) else {
                throw DataError(file: path, field: key, message: "expected \(count) finite numbers, found \"\(text)\"")
            }
            return numbers
        }
        func integer(_ key: String) throws -> Int? {
            guard let text = value(key)?.value else { return nil }
            guard let number = Int(text) else {
                throw DataError(file: path, field: key, message: "expected a whole number, found \"\(text)\"")
            }
            return number
        }
        func flag(_ keys: String...) throws -> Bool {
            for key in keys {
                guard let text = header[key.lowercased()] else { continue }
                switch text.lowercased() {
                case "true", "1": return true
                case "false", "0": return false
                default: throw DataError(file: path, field: key, message: "expected True or False, found \"\(text)\"")
                }
            }
            return false
        }

        guard let ndimsText = value("NDims") else { throw DataError(file: path, field: "NDims", message: "missing") }
        guard let n = Int(ndimsText.value), n == 2 || n == 3 else {
            throw DataError(file: path, field: "NDims", message: "only 2D and 3D images are supported, found \"\(ndimsText.value)\"")
        }
        guard let dimText = value("DimSize") else { throw DataError(file: path, field: "DimSize", message: "missing") }
        // Read as integers, not through Double: a size past 2^53 would round, past 2^63 trap.
        let size = try parts("DimSize", dimText.value, count: n).map { part in
            guard let extent = Int(part), extent > 0 else {
                throw DataError(file: path, field: "DimSize", message: "sizes must be positive whole numbers below 2^63, found \"\(dimText.value)\"")
            }
            return extent
        }
        let voxels = try limits.voxelCount(size, file: path, field: "DimSize")
        guard let typeText = value("ElementType") else { throw DataError(file: path, field: "ElementType", message: "missing") }
        guard let elementType = typeNames.first(where: { $0.0 == typeText.value.uppercased() })?.1 else {
            throw DataError(file: path, field: "ElementType", message: "unknown or unsupported element type \"\(typeText.value)\" (supported: \(typeNames.map(\.0).joined(separator: ", ")))")
        }
        if let channels = value("ElementNumberOfChannels"), channels.value != "1" {
            throw DataError(file: path, field: "ElementNumberOfChannels", message: "only single-channel images are supported, found \(channels.value)")
        }
        var spacing = [Double](repeating: 1, count: n)
        if let s = value("ElementSpacing") ?? value("ElementSize") {
            spacing = try numbers(s.key, s.value, count: n)
            try ImageLimits.checkSpacing(spacing, file: path, field: s.key)
        }
        var origin = [Double](repeating: 0, count: n)
        if let o = value("Offset", "Origin", "Position") { origin = try numbers(o.key, o.value, count: n) }
        var direction: [Double] = (0..<(n * n)).map { $0 % (n + 1) == 0 ? 1 : 0 }
        if let t = value("TransformMatrix", "Rotation", "Orientation") {
            // MetaIO lists the axes one after another: entries [n*axis ..< n*axis+n] are the
            // direction of voxel axis `axis`; our matrix keeps axes as columns.
            let matrix = try numbers(t.key, t.value, count: n * n)
            for axis in 0..<n { for component in 0..<n { direction[n * component + axis] = matrix[n * axis + component] } }
        }
        let bigEndian = try flag("BinaryDataByteOrderMSB", "ElementByteOrderMSB")
        let compressed = try flag("CompressedData")
        guard let dataFile = value("ElementDataFile")?.value else {
            throw DataError(file: path, field: "ElementDataFile", message: "missing")
        }
        let expected = try ImageLimits.bytes(voxels, each: elementType.byteSize, file: path, field: "DimSize")
        // The voxels as Doubles, and the raw bytes when they are inflated into a buffer of their own.
        let valueBytes = try ImageLimits.bytes(voxels, each: MemoryLayout<Double>.size, plus: compressed ? expected : 0, file: path, field: "DimSize")
        try ImageLimits.checkMemory(valueBytes, for: "DimSize \(size) of \(typeName(elementType))", file: path, field: "DimSize")

        var dataPath = path
        var data: [UInt8]
        var offset = 0
        if dataFile.uppercased() == "LOCAL" {
            data = bytes
            offset = dataStart
        } else {
            guard dataFile.uppercased() != "LIST", !dataFile.contains("%") else {
                throw DataError(file: path, field: "ElementDataFile", message: "lists and patterns of data files are not supported, found \"\(dataFile)\"")
            }
            dataPath = dataFile.hasPrefix("/") ? dataFile : (path as NSString).deletingLastPathComponent.appendingPathComponent(dataFile)
            data = try readBytes(dataPath, field: "ElementDataFile")
        }
        if compressed {
            var end = data.count
            if let limit = try integer("CompressedDataSize") {
                guard limit >= 0 else {
                    throw DataError(file: path, field: "CompressedDataSize", message: "expected a byte count, found \(limit)")
                }
                guard data.count - offset >= limit else {
                    throw DataError(file: dataPath, field: "CompressedDataSize", message: "header promises \(limit) compressed bytes, the file holds \(data.count - offset) (truncated?)")
                }
                end = offset + limit
            }
            let inflater = try Zlib.Inflater(data, range: offset..<end, file: dataPath, field: "CompressedData")
            data = try inflater.read(expected)
            guard data.count == expected else {
                throw DataError(file: dataPath, field: "DimSize",
                                message: "DimSize \(size) of \(typeName(elementType)) needs \(expected) bytes, the compressed data holds \(data.count) (truncated?)")
            }
            try inflater.expectEnd(declared: expected)
            offset = 0
        } else if let headerSize = try integer("HeaderSize"), dataPath != path {
            // HeaderSize -1 means "the data is at the end of the file".
            guard headerSize >= -1, headerSize <= data.count else {
                throw DataError(file: path, field: "HeaderSize", message: "expected -1 or 0...\(data.count) (the size of \(dataPath)), found \(headerSize)")
            }
            offset = headerSize == -1 ? max(data.count - expected, 0) : headerSize
        }
        let held = data.count - offset
        guard held == expected else {
            let kind = held < expected ? "truncated?" : "too much data"
            throw DataError(file: dataPath, field: "DimSize",
                            message: "DimSize \(size) of \(typeName(elementType)) needs \(expected) bytes, the data holds \(held) (\(kind))")
        }
        let values = elementType.decode(data, offset: offset, count: voxels, bigEndian: bigEndian)
        return MedicalImage(size: size, spacing: spacing, origin: origin, direction: direction, elementType: elementType, values: values)
    }

    /// Parses the "Key = Value" lines up to and including ElementDataFile. Returns the fields
    /// keyed by lower-cased name and the offset of the first byte after the header.
    static func parseHeader(_ bytes: [UInt8], path: String) throws -> ([String: String], Int) {
        var fields: [String: String] = [:]
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            guard let line = String(bytes: bytes[start..<end], encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                throw DataError(file: path, field: "line \(lineNumber)", message: "header line is not text (is this a MetaImage header?)")
            }
            start = end + 1
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw DataError(file: path, field: "line \(lineNumber)", message: "expected \"Key = Value\", found \"\(line.prefix(60))\"")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            fields[key.lowercased()] = value
            if key.lowercased() == "elementdatafile" { return (fields, min(start, bytes.count)) }
        }
        throw DataError(file: path, field: "ElementDataFile", message: "missing (the header must end with ElementDataFile)")
    }

    // MARK: Writing

    /// Writes `image` as `.mha` (data inside the file) or `.mhd` plus `.raw` (`.zraw` when
    /// `compressed`). `bigEndian` writes BinaryDataByteOrderMSB = True. Each file is written
    /// to a temporary name and renamed into place.
    public static func write(_ image: MedicalImage, to path: String, compressed: Bool = false, bigEndian: Bool = false) throws {
        let n = image.dimensions
        var data = image.elementType.encode(image.values, bigEndian: bigEndian)
        if compressed { data = Zlib.compress(data, format: .zlib) }
        let local = path.lowercased().hasSuffix(".mha")
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let dataName = local ? "LOCAL" : base + (compressed ? ".zraw" : ".raw")
        func join(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: " ") }
        var transform = [Double](repeating: 0, count: n * n)
        for axis in 0..<n { for component in 0..<n { transform[n * axis + component] = image.direction[n * component + axis] } }
        var lines = [
            "ObjectType = Image",
            "NDims = \(n)",
            "BinaryData = True",
            "BinaryDataByteOrderMSB = \(bigEndian ? "True" : "False")",
            "CompressedData = \(compressed ? "True" : "False")",
        ]
        if compressed { lines.append("CompressedDataSize = \(data.count)") }
        lines += [
            "TransformMatrix = \(join(transform))",
            "Offset = \(join(image.origin))",
            "ElementSpacing = \(join(image.spacing))",
            "DimSize = \(image.size.map(String.init).joined(separator: " "))",
            "ElementType = \(typeName(image.elementType))",
            "ElementDataFile = \(dataName)",
        ]
        let header = Array((lines.joined(separator: "\n") + "\n").utf8)
        if local {
            try writeBytesAtomically(header + data, to: path)
        } else {
            let dataPath = (path as NSString).deletingLastPathComponent.appendingPathComponent(dataName)
            try writeBytesAtomically(data, to: dataPath)
            do { try writeBytesAtomically(header, to: path) } catch {
                try? FileManager.default.removeItem(atPath: dataPath)
                throw error
            }
        }
    }
}

extension String {
    /// Joins path components the way NSString does, without the bridging noise at call sites.
    func appendingPathComponent(_ component: String) -> String {
        (self as NSString).appendingPathComponent(component)
    }
}
