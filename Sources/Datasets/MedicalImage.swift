import Foundation
import VoxelGeometry

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

/// An image as read from (or to be written to) a MetaImage or NIfTI file: 2D or 3D, its size in
/// the header's order (x first), its spacing, origin and direction, the element type it is
/// stored with and its values (after any NIfTI scaling) as Doubles, x fastest.
public struct MedicalImage: Sendable, Equatable {
    /// The size per axis, x first (MetaImage DimSize, NIfTI dim[1...]); 2 or 3 entries.
    public var size: [Int]
    /// Spacing per axis in mm, x first.
    public var spacing: [Double]
    /// World position (mm, LPS) of the first voxel, one value per axis.
    public var origin: [Double]
    /// Direction cosines, row-major n x n: `direction[n * r + c]` is component r of axis c.
    public var direction: [Double]
    /// The element type in the file.
    public var elementType: ElementType
    /// The values, x fastest.
    public var values: [Double]

    /// An image from its header fields and values; origin and direction default to zero and identity.
    public init(size: [Int], spacing: [Double], origin: [Double]? = nil, direction: [Double]? = nil,
                elementType: ElementType, values: [Double]) {
        let n = size.count
        precondition(n == 2 || n == 3, "images have 2 or 3 dimensions, given \(n)")
        precondition(spacing.count == n, "one spacing per axis")
        precondition(values.count == size.reduce(1, *), "size \(size) needs \(size.reduce(1, *)) values, given \(values.count)")
        self.size = size
        self.spacing = spacing
        self.origin = origin ?? [Double](repeating: 0, count: n)
        self.direction = direction ?? (0..<(n * n)).map { $0 % (n + 1) == 0 ? 1 : 0 }
        self.elementType = elementType
        self.values = values
    }

    /// Number of dimensions, 2 or 3.
    public var dimensions: Int { size.count }

    /// The image as a 3D volume (a 2D image becomes one slice with 1 mm slice spacing).
    public func volume<T>(_ convert: (Double) -> T) -> Volume<T> {
        let nz = size.count == 3 ? size[2] : 1
        let spacing = Spacing(x: spacing[0], y: spacing[1], z: size.count == 3 ? spacing[2] : 1)
        return Volume(shape: VolumeShape(nz: nz, ny: size[1], nx: size[0]), spacing: spacing,
                      orientation: orientation3D, voxels: values.map(convert))
    }

    /// The image's intensities as a Float volume.
    public var imageVolume: ImageVolume { volume { Float($0) } }

    /// The image's values as a label volume (rounded, clamped to 0...255; NaN reads as 0).
    /// Files go through ``labelVolume(file:)``, which refuses NaN instead.
    public var labelVolume: LabelVolume { volume { $0.isNaN ? 0 : UInt8(min(max($0.rounded(), 0), 255)) } }

    /// The image's values as a label volume, as ``labelVolume``, refusing a mask that holds a
    /// non-finite value: the error names `file` and the first such voxel.
    public func labelVolume(file: String) throws -> LabelVolume {
        try checkFinite(file: file, what: "a mask")
        return labelVolume
    }

    /// The image's intensities as a Float volume, refusing a value that is not finite as a
    /// Float (NaN, an infinity, or beyond Float's range): the error names `file` and the voxel.
    public func imageVolume(file: String) throws -> ImageVolume {
        try checkFinite(file: file, what: "an image", limit: Double(Float.greatestFiniteMagnitude))
        return imageVolume
    }

    private func checkFinite(file: String, what: String, limit: Double = .greatestFiniteMagnitude) throws {
        guard let index = values.firstIndex(where: { !(abs($0) <= limit) }) else { return }
        let nx = size[0], ny = size[1]
        let position = size.count == 3 ? "(x \(index % nx), y \(index / nx % ny), z \(index / (nx * ny)))" : "(x \(index % nx), y \(index / nx))"
        throw DataError(file: file, field: "voxel data", message: "voxel \(position) is \(values[index]); \(what) must hold finite values")
    }

    /// Origin and direction padded to 3D.
    public var orientation3D: Orientation {
        guard size.count == 2 else { return Orientation(origin: origin, direction: direction) }
        return Orientation(origin: origin + [0], direction: [direction[0], direction[1], 0, direction[2], direction[3], 0, 0, 0, 1])
    }

    /// An image holding `volume` (always 3D), stored as `elementType`.
    public init<T: BinaryFloatingPoint>(_ volume: Volume<T>, elementType: ElementType) {
        self.init(size: [volume.shape.nx, volume.shape.ny, volume.shape.nz], spacing: volume.spacing.xyz,
                  origin: volume.orientation.origin, direction: volume.orientation.direction,
                  elementType: elementType, values: volume.voxels.map { Double($0) })
    }

    /// An image holding a label volume (always 3D), stored as `elementType`.
    public init(_ volume: LabelVolume, elementType: ElementType = .uint8) {
        self.init(size: [volume.shape.nx, volume.shape.ny, volume.shape.nz], spacing: volume.spacing.xyz,
                  origin: volume.orientation.origin, direction: volume.orientation.direction,
                  elementType: elementType, values: volume.voxels.map { Double($0) })
    }

    /// Summary statistics of the values.
    public var statistics: (min: Double, max: Double, mean: Double) {
        guard let first = values.first else { return (0, 0, 0) }
        var low = first, high = first, sum = 0.0
        for v in values {
            low = min(low, v)
            high = max(high, v)
            sum += v
        }
        return (low, high, sum / Double(values.count))
    }
}

/// Reads and writes images by file name: `.mhd`, `.mha`, `.nii`, `.nii.gz`.
public enum ImageIO {
    /// Reads an image, choosing the format from the file name. `channel` picks the volume of a
    /// 4D NIfTI file; `limits` bounds what the header may declare.
    public static func read(_ path: String, channel: Int = 0, limits: ImageLimits = ImageLimits()) throws -> MedicalImage {
        let lower = path.lowercased()
        if lower.hasSuffix(".mhd") || lower.hasSuffix(".mha") { return try MetaImage.read(path, limits: limits) }
        if lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") { return try NIfTI.read(path, channel: channel, limits: limits) }
        throw DataError(file: path, field: "", message: "unknown image format (expected .mhd, .mha, .nii or .nii.gz)")
    }

    /// Writes an image, choosing the format from the file name.
    public static func write(_ image: MedicalImage, to path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".mhd") || lower.hasSuffix(".mha") { return try MetaImage.write(image, to: path) }
        if lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") { return try NIfTI.write(image, to: path) }
        throw DataError(file: path, field: "", message: "unknown image format (expected .mhd, .mha, .nii or .nii.gz)")
    }
}
