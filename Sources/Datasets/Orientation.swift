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
