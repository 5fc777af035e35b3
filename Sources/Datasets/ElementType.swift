/// The element types of MetaImage and NIfTI files.
public enum ElementType: String, Sendable, CaseIterable, Codable {
    case uint8, int8, uint16, int16, uint32, int32, float32, float64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .uint8, .int8: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .float64: 8
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// Decodes `count` elements from `bytes` starting at `offset` as Doubles (exact for every
    /// type listed). `bigEndian` selects the byte order of multi-byte elements.
    func decode(_ bytes: [UInt8], offset: Int, count: Int, bigEndian: Bool) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        let size = byteSize
        // Hot loop over every voxel of a file: one raw-buffer pass instead of per-element slicing.
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let at = offset + i * size
                var bits: UInt64 = 0
                for b in 0..<size {
                    let byte = UInt64(raw[at + (bigEndian ? b : size - 1 - b)])
                    bits = (bits << 8) | byte
                }
                values[i] = Self.value(bits: bits, type: self)
            }
        }
        return values
    }

    private static func value(bits: UInt64, type: ElementType) -> Double {
        switch type {
        case .uint8: Double(UInt8(truncatingIfNeeded: bits))
        case .int8: Double(Int8(bitPattern: UInt8(truncatingIfNeeded: bits)))
        case .uint16: Double(UInt16(truncatingIfNeeded: bits))
        case .int16: Double(Int16(bitPattern: UInt16(truncatingIfNeeded: bits)))
        case .uint32: Double(UInt32(truncatingIfNeeded: bits))
        case .int32: Double(Int32(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float32: Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: Double(bitPattern: bits)
        }
    }

    /// Encodes `values` in this type (rounded and clamped to the type's range for integers).
    func encode(_ values: [Double], bigEndian: Bool) -> [UInt8] {
        let size = byteSize
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        for (i, value) in values.enumerated() {
            let bits = bitPattern(value)
            for b in 0..<size {
                let shift = UInt64(8 * (bigEndian ? size - 1 - b : b))
                bytes[i * size + b] = UInt8(truncatingIfNeeded: bits >> shift)
            }
        }
        return bytes
    }

    private func bitPattern(_ value: Double) -> UInt64 {
        func integer(_ low: Double, _ high: Double) -> Int64 {
            value.isNaN ? 0 : Int64(min(max(value.rounded(), low), high))
        }
        switch self {
        case .uint8: return UInt64(integer(0, 255))
        case .int8: return UInt64(UInt8(bitPattern: Int8(integer(-128, 127))))
        case .uint16: return UInt64(integer(0, 65535))
        case .int16: return UInt64(UInt16(bitPattern: Int16(integer(-32768, 32767))))
        case .uint32: return UInt64(integer(0, 4_294_967_295))
        case .int32: return UInt64(UInt32(bitPattern: Int32(integer(-2_147_483_648, 2_147_483_647))))
        case .float32: return UInt64(Float(value).bitPattern)
        case .float64: return value.bitPattern
        }
    }
}
