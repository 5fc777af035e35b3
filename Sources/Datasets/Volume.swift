import VoxelGeometry

// The shared in-memory layout of images and masks: x fastest, shapes written [nz, ny, nx].

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
