import CZlib
import Foundation

/// A minimal PNG encoder (8-bit greyscale or RGB, no interlace), enough for montages and
/// figures. The format is the PNG specification's: signature, IHDR, one zlib-compressed IDAT
/// with filter byte 0 on every row, IEND; every chunk carries a CRC-32 of its type and data.
public enum PNG {
    /// The pixel layout of an image.
    public enum ColorType: UInt8, Sendable {
        /// One byte per pixel.
        case grey = 0
        /// Three bytes per pixel, red, green, blue.
        case rgb = 2

        var channels: Int { self == .grey ? 1 : 3 }
    }

    /// An error naming what was wrong with the image handed to the encoder.
    public struct EncodingError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Encodes `pixels` (row-major, top row first, `channels` bytes per pixel) as PNG bytes.
    public static func encode(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) throws -> [UInt8] {
        let rowBytes = width * colorType.channels
        guard width > 0, height > 0, pixels.count == rowBytes * height else {
            throw EncodingError(description: "a \(width) x \(height) \(colorType) image needs \(rowBytes * height) bytes, given \(pixels.count)")
        }
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: pixels[(row * rowBytes)..<((row + 1) * rowBytes)])
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&compressed, &compressedLength, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw EncodingError(description: "zlib compress2 failed with status \(status)") }

        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, colorType.rawValue, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", Array(compressed.prefix(Int(compressedLength))))
        png.appendChunk("IEND", [])
        return png
    }

    /// Encodes and writes a PNG file atomically (a temporary file renamed into place).
    public static func write(to url: URL, width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) throws {
        let bytes = try encode(width: width, height: height, colorType: colorType, pixels: pixels)
        try Data(bytes).write(to: url, options: .atomic)
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }

    fileprivate mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        appendBigEndian(UInt32(data.count))
        let typeAndData = Array(type.utf8) + data
        append(contentsOf: typeAndData)
        appendBigEndian(UInt32(crc32(0, typeAndData, uInt(typeAndData.count))))
    }
}
