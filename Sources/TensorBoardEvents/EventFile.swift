/// TensorBoard event files of scalars, written without TensorFlow: TFRecord framing (each
/// record its length and data, each guarded by a masked CRC-32C) around hand-encoded
/// `tensorflow.Event` protocol buffers whose `Summary` holds `simple_value` scalars. Only what
/// the scalars dashboard reads is encoded.
public enum EventFile {
    /// One step's scalars: the global step, the wall time in seconds since 1970 and the
    /// values by tag.
    public struct Record: Sendable, Equatable {
        public let step: Int
        public let wallTime: Double
        public let values: [(tag: String, value: Float)]

        public init(step: Int, wallTime: Double, values: [(tag: String, value: Float)]) {
            self.step = step
            self.wallTime = wallTime
            self.values = values
        }

        public static func == (a: Record, b: Record) -> Bool {
            a.step == b.step && a.wallTime == b.wallTime && a.values.map(\.tag) == b.values.map(\.tag) && a.values.map(\.value) == b.values.map(\.value)
        }
    }

    /// A whole event file: the `file_version` event TensorBoard expects first, then one event
    /// per record, in order.
    public static func encode(_ records: [Record], firstWallTime: Double = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        var version = Protobuf()
        version.double(1, firstWallTime)
        version.bytes(3, Array("brain.Event:2".utf8))
        frame(version.bytes, into: &bytes)
        for record in records {
            var summary = Protobuf()
            for (tag, value) in record.values {
                var item = Protobuf()
                item.bytes(1, Array(tag.utf8))
                item.float(2, value)
                summary.bytes(1, item.bytes)
            }
            var event = Protobuf()
            event.double(1, record.wallTime)
            event.varint(2, UInt64(bitPattern: Int64(record.step)))
            event.bytes(5, summary.bytes)
            frame(event.bytes, into: &bytes)
        }
        return bytes
    }

    /// A TFRecord: the length (uint64, little-endian), its masked CRC-32C, the data, its masked CRC-32C.
    static func frame(_ data: [UInt8], into bytes: inout [UInt8]) {
        let length = littleEndian(UInt64(data.count), 8)
        bytes += length + littleEndian(UInt64(maskedCRC32C(length)), 4) + data + littleEndian(UInt64(maskedCRC32C(data)), 4)
    }

    private static func littleEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// CRC-32C (Castagnoli), as TFRecord uses it.
    public static func crc32c(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC of data
    /// that holds CRCs is not degenerate.
    public static func maskedCRC32C(_ data: [UInt8]) -> UInt32 {
        let crc = crc32c(data)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
