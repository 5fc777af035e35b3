import Datasets

/// The facts of a PNG file, read by a decoder of our own rather than the encoder under test:
/// every chunk's CRC is checked and the image data inflated.
public struct PNGFacts {
    public var width = 0, height = 0, bitDepth = 0, colourType = 0
    /// The inflated image data: one filter byte and the pixels of each row.
    public var scanlines: [UInt8] = []
    /// The chunks' types, in file order.
    public var chunkTypes: [String] = []

    /// Reads `bytes`; throws on a bad signature, chunk CRC or compressed stream.
    public init(_ bytes: [UInt8]) throws {
        struct Invalid: Error { let reason: String }
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Invalid(reason: "no PNG signature") }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var at = 8, compressed: [UInt8] = []
        while at + 12 <= bytes.count {
            let length = word(at), body = (at + 4)..<(at + 8 + length)
            guard body.upperBound + 4 <= bytes.count else { throw Invalid(reason: "chunk at \(at) runs past the end") }
            guard Self.crc32(bytes[body]) == UInt32(word(body.upperBound)) else { throw Invalid(reason: "bad CRC in the chunk at \(at)") }
            let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            chunkTypes.append(type)
            let data = (at + 8)..<(at + 8 + length)
            if type == "IHDR" {
                (width, height) = (word(data.lowerBound), word(data.lowerBound + 4))
                (bitDepth, colourType) = (Int(bytes[data.lowerBound + 8]), Int(bytes[data.lowerBound + 9]))
            }
            if type == "IDAT" { compressed += bytes[data] }
            at = body.upperBound + 4
        }
        guard at == bytes.count else { throw Invalid(reason: "\(bytes.count - at) bytes after the last chunk") }
        scanlines = try Zlib.decompress(compressed, file: "png", field: "IDAT")
    }

    /// CRC-32 (ISO 3309, as PNG uses it), bit by bit: slow and plain, for test files only.
    public static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The RGB bytes of an 8-bit RGB image whose rows are all filtered with filter 0 (None),
    /// as our encoder writes them; nil for any other image.
    public var rgbPixels: [UInt8]? {
        guard bitDepth == 8, colourType == 2 else { return nil }
        let row = 1 + 3 * width
        guard scanlines.count == height * row, stride(from: 0, to: scanlines.count, by: row).allSatisfy({ scanlines[$0] == 0 }) else { return nil }
        return stride(from: 0, to: scanlines.count, by: row).flatMap { scanlines[($0 + 1)..<($0 + row)] }
    }
}
