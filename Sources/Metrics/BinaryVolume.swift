import VoxelGeometry

/// A 3D binary mask (foreground `true`) on a voxel grid with a physical spacing.
///
/// Layout follows the project's convention: shape `[nz, ny, nx]`, row-major with x fastest,
/// `index = (z * ny + y) * nx + x`.
public struct BinaryVolume: Sendable, Equatable {
    /// Number of slices (slowest axis).
    public let nz: Int
    /// Number of rows per slice.
    public let ny: Int
    /// Number of columns per row (fastest axis).
    public let nx: Int
    /// Size of a voxel in millimetres.
    public let spacing: Spacing
    /// The voxels in `index(z:y:x:)` order; `true` is foreground.
    public private(set) var voxels: [Bool]

    /// A mask from its voxels.
    ///
    /// - Throws: `MetricsError.invalidShape` unless `shape` is three positive extents,
    ///   `MetricsError.invalidSpacing` for a non-positive or non-finite spacing, and
    ///   `MetricsError.voxelCountMismatch` when `voxels` does not fill the shape exactly.
    public init(shape: [Int], spacing: Spacing, voxels: [Bool]) throws {
        let total = try Self.voxelCount(of: shape)
        guard spacing.isValid else { throw MetricsError.invalidSpacing(spacing) }
        guard voxels.count == total else {
            throw MetricsError.voxelCountMismatch(shape: shape, expected: total, got: voxels.count)
        }
        nz = shape[0]
        ny = shape[1]
        nx = shape[2]
        self.spacing = spacing
        self.voxels = voxels
    }

    /// An all-background mask of the given shape and spacing.
    public init(shape: [Int], spacing: Spacing) throws {
        try self.init(shape: shape, spacing: spacing, voxels: [Bool](repeating: false, count: Self.voxelCount(of: shape)))
    }

    /// The number of voxels of `shape`, which must be three positive extents whose product fits.
    private static func voxelCount(of shape: [Int]) throws -> Int {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else { throw MetricsError.invalidShape(shape) }
        let (plane, overflow) = shape[0].multipliedReportingOverflow(by: shape[1])
        let (total, overflow2) = plane.multipliedReportingOverflow(by: shape[2])
        guard !overflow, !overflow2 else { throw MetricsError.invalidShape(shape) }
        return total
    }

    /// A mask whose foreground is where `isForeground(z, y, x)` holds.
    public init(shape: [Int], spacing: Spacing, isForeground: (_ z: Int, _ y: Int, _ x: Int) -> Bool) throws {
        try self.init(shape: shape, spacing: spacing)
        for z in 0..<nz {
            for y in 0..<ny {
                for x in 0..<nx where isForeground(z, y, x) { voxels[index(z: z, y: y, x: x)] = true }
            }
        }
    }

    /// A mask from a label map: foreground where the label is non-zero.
    public init<Label: BinaryInteger>(shape: [Int], spacing: Spacing, labels: [Label]) throws {
        try self.init(shape: shape, spacing: spacing, voxels: labels.map { $0 != 0 })
    }

    /// The shape `[nz, ny, nx]`.
    public var shape: [Int] { [nz, ny, nx] }

    /// The number of voxels.
    public var count: Int { voxels.count }

    /// The linear index of voxel `(z, y, x)`.
    @inlinable
    public func index(z: Int, y: Int, x: Int) -> Int { (z * ny + y) * nx + x }

    /// The voxel at `(z, y, x)`.
    public subscript(z: Int, y: Int, x: Int) -> Bool {
        get { voxels[index(z: z, y: y, x: x)] }
        set { voxels[index(z: z, y: y, x: x)] = newValue }
    }

    /// The number of foreground voxels.
    public var foregroundCount: Int {
        voxels.withUnsafeBufferPointer { Self.countTrue($0) }
    }

    /// True when no voxel is foreground.
    public var isEmpty: Bool { !voxels.contains(true) }

    /// Counts the `true` entries of a mask.
    static func countTrue(_ mask: UnsafeBufferPointer<Bool>) -> Int {
        // A Bool is stored as the byte 0 or 1, so summing the bytes counts without a branch per
        // voxel; the raw view skips the bounds check of every element.
        mask.withMemoryRebound(to: UInt8.self) { bytes in
            var total = 0
            for byte in bytes { total &+= Int(byte) }
            return total
        }
    }
}

extension BinaryVolume {
    /// An axis-aligned solid ellipsoid: voxel `(z, y, x)` is foreground when
    /// `((x - cx) / rx)^2 + ((y - cy) / ry)^2 + ((z - cz) / rz)^2 <= 1`, with centre and radii in
    /// voxels. Evaluated in integers, so other tools (the medpy side-by-side script) rasterise
    /// exactly the same voxels.
    ///
    /// - Throws: `MetricsError.invalidRadii` unless every radius is positive, and the errors of
    ///   `init(shape:spacing:)`.
    public static func ellipsoid(
        shape: [Int], spacing: Spacing, centre: (z: Int, y: Int, x: Int), radii: (z: Int, y: Int, x: Int)
    ) throws -> BinaryVolume {
        guard radii.z > 0, radii.y > 0, radii.x > 0 else { throw MetricsError.invalidRadii([radii.z, radii.y, radii.x]) }
        let (rz2, ry2, rx2) = (radii.z * radii.z, radii.y * radii.y, radii.x * radii.x)
        let bound = rx2 * ry2 * rz2
        return try BinaryVolume(shape: shape, spacing: spacing) { z, y, x in
            let dz = z - centre.z, dy = y - centre.y, dx = x - centre.x
            return dx * dx * ry2 * rz2 + dy * dy * rx2 * rz2 + dz * dz * rx2 * ry2 <= bound
        }
    }
}
