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

    /// The most a stream read without a declared size may inflate to.
    public static let undeclaredSizeLimit = 1 << 28

    /// Decompresses a gzip or zlib stream (the container is detected from its header). With
    /// `expectedSize` the stream must inflate to exactly that many bytes, and inflation stops
    /// one byte past it, so a small file cannot inflate to more than its header declares;
    /// without, to at most ``undeclaredSizeLimit`` bytes. Errors name `file` and `field` and
    /// say what is wrong with the stream.
    public static func decompress(_ bytes: [UInt8], file: String, field: String, expectedSize: Int? = nil) throws -> [UInt8] {
        let inflater = try Inflater(bytes, file: file, field: field)
        if let expectedSize {
            let output = try inflater.read(expectedSize)
            guard output.count == expectedSize else {
                throw DataError(file: file, field: field, message: "stream ends after \(output.count) bytes, the header declares \(expectedSize) (truncated?)")
            }
            try inflater.expectEnd(declared: expectedSize)
            return output
        }
        var output = [UInt8]()
        while !inflater.ended {
            output += try inflater.read(min(1 << 20, undeclaredSizeLimit + 1 - output.count))
            guard output.count <= undeclaredSizeLimit else {
                throw DataError(file: file, field: field, message: "stream inflates to more than \(undeclaredSizeLimit) bytes")
            }
        }
        return output
    }

    /// A gzip or zlib stream inflated piece by piece, so that a reader can take the header,
    /// check the size it declares, and then inflate exactly that much.
    final class Inflater {
        private let stream: UnsafeMutablePointer<z_stream>
        private let input: [UInt8]
        private var consumed: Int
        private let end: Int
        private let file: String, field: String
        /// Whether the stream has ended (no more output).
        private(set) var ended = false
        /// Bytes inflated so far.
        private(set) var produced = 0

        /// An inflater over `input[range]` (all of it by default); errors name `file` and `field`.
        init(_ input: [UInt8], range: Range<Int>? = nil, file: String, field: String) throws {
            self.input = input
            consumed = range?.lowerBound ?? 0
            end = range?.upperBound ?? input.count
            self.file = file
            self.field = field
            // z_stream holds a pointer to its internal state, which points back at it: it
            // must not move between calls, so it lives on the heap rather than in a property.
            stream = .allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // 15 + 32: accept both zlib and gzip headers.
            guard sparseseg_inflateInit2(stream, 15 + 32) == Z_OK else {
                stream.deinitialize(count: 1)
                stream.deallocate()
                throw DataError(file: file, field: field, message: "cannot initialise zlib")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }

        /// The next `count` bytes of the stream, fewer only when it ends first.
        func read(_ count: Int) throws -> [UInt8] {
            guard count > 0 else { return [] }
            return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = try inflate(into: UnsafeMutableRawBufferPointer(buffer))
            }
        }

        /// Inflates and drops the next `count` bytes; returns how many there were (fewer only
        /// when the stream ends first).
        func skip(_ count: Int) throws -> Int {
            var scratch = [UInt8](repeating: 0, count: min(count, 1 << 16))
            var skipped = 0
            while skipped < count && !ended {
                let want = min(count - skipped, scratch.count)
                skipped += try scratch.withUnsafeMutableBytes { try inflate(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            }
            return skipped
        }

        /// Throws when the stream holds more than `declared` bytes (inflating at most one more).
        func expectEnd(declared: Int) throws {
            guard !ended else { return }
            var extra: UInt8 = 0
            let more = try withUnsafeMutableBytes(of: &extra) { try inflate(into: $0) }
            guard more == 0 else {
                throw DataError(file: file, field: field, message: "stream holds more than the \(declared) bytes the header declares")
            }
        }

        /// Fills `output` from the stream; returns the bytes written, fewer only at its end.
        private func inflate(into output: UnsafeMutableRawBufferPointer) throws -> Int {
            guard let base = output.baseAddress else { return 0 }
            var filled = 0
            while filled < output.count && !ended {
                // avail_in and avail_out are 32-bit: feed and fill at most 1 GiB per call.
                let inCount = min(end - consumed, 1 << 30), outCount = min(output.count - filled, 1 << 30)
                let status: Int32 = input.withUnsafeBufferPointer { inBuffer in
                    // zlib may still hold output when the input is used up, so it is called
                    // with no input too; next_in is then never read.
                    stream.pointee.next_in = inBuffer.baseAddress.map { UnsafeMutablePointer(mutating: $0 + consumed) }
                    stream.pointee.avail_in = uInt(inCount)
                    stream.pointee.next_out = (base + filled).assumingMemoryBound(to: UInt8.self)
                    stream.pointee.avail_out = uInt(outCount)
                    return CZlib.inflate(stream, Z_NO_FLUSH)
                }
                let read = inCount - Int(stream.pointee.avail_in), written = outCount - Int(stream.pointee.avail_out)
                consumed += read
                filled += written
                produced += written
                switch status {
                case Z_STREAM_END:
                    ended = true
                case Z_OK, Z_BUF_ERROR:
                    guard read > 0 || written > 0 else {
                        let problem = consumed == end ? "is truncated" : "makes no progress"
                        throw DataError(file: file, field: field, message: "compressed data \(problem) (stream ends after \(produced) bytes)")
                    }
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw DataError(file: file, field: field, message: "corrupt compressed data: \(reason)")
                }
            }
            return filled
        }
    }
}
