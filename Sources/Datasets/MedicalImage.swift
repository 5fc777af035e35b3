import Foundation
import VoxelGeometry

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
