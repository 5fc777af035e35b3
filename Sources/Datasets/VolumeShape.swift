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
