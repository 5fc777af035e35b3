/// The size of one voxel of a 3D volume in millimetres, one value per axis.
///
/// Shared by the datasets (image headers) and the metrics (surface distances): named fields
/// `x`, `y`, `z`, with `x` the fastest-varying array axis.
public struct Spacing: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Extent of a voxel along x (columns), in millimetres.
    public var x: Double
    /// Extent of a voxel along y (rows), in millimetres.
    public var y: Double
    /// Extent of a voxel along z (slices), in millimetres.
    public var z: Double

    /// A spacing from its three extents in millimetres.
    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// One millimetre along every axis.
    public static let unit = Spacing(x: 1, y: 1, z: 1)

    /// True when every extent is finite and strictly positive, the only spacings a distance
    /// can be measured with.
    public var isValid: Bool {
        [x, y, z].allSatisfy { $0.isFinite && $0 > 0 }
    }

    /// True when each extent agrees with `other`'s within `relativeTolerance`.
    ///
    /// Image headers store spacings as 32-bit floats and converters round them differently, so
    /// two files of one grid rarely agree bit for bit; a relative tolerance of 1e-5 is far below
    /// any real difference of resolution.
    public func isClose(to other: Spacing, relativeTolerance: Double = 1e-5) -> Bool {
        zip([x, y, z], [other.x, other.y, other.z]).allSatisfy { a, b in
            abs(a - b) <= relativeTolerance * max(abs(a), abs(b))
        }
    }

    /// The spacing as [x, y, z], the order of MetaImage's ElementSpacing and NIfTI's pixdim.
    public var xyz: [Double] { [x, y, z] }

    /// `x x y x z mm`, the order in which viewers print spacings.
    public var description: String { "\(x) x \(y) x \(z) mm" }
}
