import VoxelGeometry

// The shared in-memory layout of images and masks: x fastest, shapes written [nz, ny, nx].

/// The size of a volume: `nx` columns, `ny` rows, `nz` slices. Written as a shape it is
/// [nz, ny, nx], slowest first; the voxel (x, y, z) lives at index (z * ny + y) * nx + x.
public struct VolumeShape: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Number of slices.
    public var nz: Int
    /// Rows per slice.
    public var ny: Int
    /// Columns per row.
    public var nx: Int

    /// A shape of `nz` slices of `ny` rows of `nx` columns.
    public init(nz: Int, ny: Int, nx: Int) {
        self.nz = nz
        self.ny = ny
        self.nx = nx
    }

    /// Creates a shape from [nz, ny, nx].
    public init(_ dims: [Int]) {
        precondition(dims.count == 3, "a volume shape has three dimensions, given \(dims)")
        self.init(nz: dims[0], ny: dims[1], nx: dims[2])
    }

    /// [nz, ny, nx], slowest first: the shape of the HDF5 datasets.
    public var dims: [Int] { [nz, ny, nx] }
    /// Voxels in the volume.
    public var count: Int { nz * ny * nx }
    /// Pixels in one slice.
    public var sliceCount: Int { ny * nx }

    /// The linear index of voxel (x, y, z).
    @inlinable public func index(x: Int, y: Int, z: Int) -> Int { (z * ny + y) * nx + x }

    /// "[nz, ny, nx]".
    public var description: String { "[\(nz), \(ny), \(nx)]" }
}

/// Where a volume sits in the scanner: the world position in mm of voxel (0, 0, 0) and the
/// direction cosines of the three voxel axes, in the LPS convention of ITK and MetaImage
/// (NIfTI's RAS affine is converted on reading and back on writing).
public struct Orientation: Sendable, Equatable, Codable {
    /// World coordinates (mm) of the centre of voxel (0, 0, 0).
    public var origin: [Double]
    /// The 3 x 3 direction matrix, row-major: `direction[3 * r + c]` is component r of the
    /// unit vector along voxel axis c.
    public var direction: [Double]

    /// An orientation; by default origin zero and identity direction.
    public init(origin: [Double] = [0, 0, 0], direction: [Double] = Orientation.identityDirection) {
        precondition(origin.count == 3 && direction.count == 9, "origin needs 3 values and direction 9")
        self.origin = origin
        self.direction = direction
    }

    /// The identity direction matrix.
    public static let identityDirection: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
}

/// A 3D array of voxels with its geometry. Images are `Volume<Float>`, masks `Volume<UInt8>`.
public struct Volume<Element: Sendable>: Sendable {
    /// The size, [nz, ny, nx].
    public var shape: VolumeShape
    /// Voxel spacing in mm.
    public var spacing: Spacing
    /// Origin and direction in world space.
    public var orientation: Orientation
    /// The voxels, x fastest: index (z * ny + y) * nx + x.
    public var voxels: [Element]

    /// A volume over `voxels` (x fastest), which must number `shape.count`.
    public init(shape: VolumeShape, spacing: Spacing, orientation: Orientation = Orientation(), voxels: [Element]) {
        precondition(voxels.count == shape.count, "shape \(shape) needs \(shape.count) voxels, given \(voxels.count)")
        self.shape = shape
        self.spacing = spacing
        self.orientation = orientation
        self.voxels = voxels
    }

    /// The voxel at (x, y, z).
    public subscript(x: Int, y: Int, z: Int) -> Element {
        get { voxels[shape.index(x: x, y: y, z: z)] }
        set { voxels[shape.index(x: x, y: y, z: z)] = newValue }
    }

    /// Slice `z` as a row-major [ny, nx] array.
    public func slice(_ z: Int) -> [Element] {
        Array(voxels[(z * shape.sliceCount)..<((z + 1) * shape.sliceCount)])
    }

    /// Every slice, each a row-major [ny, nx] array.
    public var slices: [[Element]] { (0..<shape.nz).map(slice) }
}

/// An image volume: intensities as Float32.
public typealias ImageVolume = Volume<Float>
/// A label volume: 0 background, 1 gland (other values only in raw imported labels).
public typealias LabelVolume = Volume<UInt8>

extension Volume where Element == UInt8 {
    /// The indices of slices with at least one non-zero voxel, in order.
    public var labelledSlices: [Int] {
        (0..<shape.nz).filter { z in
            voxels[(z * shape.sliceCount)..<((z + 1) * shape.sliceCount)].contains { $0 != 0 }
        }
    }
}
