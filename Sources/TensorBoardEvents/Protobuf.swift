/// The few protocol-buffer encodings an event needs.
struct Protobuf {
    private(set) var bytes: [UInt8] = []

    private mutating func append(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { append(varint: UInt64(field) << 3 | wireType) }

    mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, 0)
        append(varint: value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64($0))) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        append(varint: UInt64(value.count))
        bytes += value
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) }
    }
}
