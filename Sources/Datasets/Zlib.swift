import CZlib

/// gzip and zlib streams through the system zlib, for `.nii.gz` and MetaImage's CompressedData.
///
/// This is the module's only use of C pointers: zlib's z_stream API needs them, and a separate
/// wrapper module for two functions would be more ceremony than safety.
public enum Zlib {
    /// The container around a deflate stream.
    public enum Format: Sendable {
        /// RFC 1952 gzip (.gz files), magic bytes 1f 8b.
        case gzip
        /// RFC 1950 zlib (MetaImage CompressedData, as ITK writes it).
        case zlib
        var windowBits: Int32 { self == .gzip ? 15 + 16 : 15 }
    }

    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Compresses `bytes` into a complete gzip or zlib stream.
    public static func compress(_ bytes: [UInt8], format: Format, level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let initStatus = sparseseg_deflateInit2(&stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY)
        precondition(initStatus == Z_OK, "deflateInit2 failed with status \(initStatus)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees the whole stream fits in one call.
        precondition(status == Z_STREAM_END, "deflate did not finish (status \(status))")
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// Decompresses a gzip or zlib stream (the container is detected from its header).
    /// Errors name `file` and `field` and say what is wrong with the stream.
    public static func decompress(_ bytes: [UInt8], file: String, field: String, expectedSize: Int? = nil) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: accept both zlib and gzip headers.
        guard sparseseg_inflateInit2(&stream, 15 + 32) == Z_OK else {
            throw DataError(file: file, field: field, message: "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: max(1 << 16, min(expectedSize ?? 0, 1 << 26)))
        var input = bytes
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw DataError(file: file, field: field, message: "compressed data is truncated (stream ends after \(output.count) bytes)")
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw DataError(file: file, field: field, message: "corrupt compressed data: \(reason)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
