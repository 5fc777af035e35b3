import Foundation
import VoxelGeometry

/// Why a volume could not be built or a pair of volumes could not be compared.
public enum MetricsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A shape that is not three positive extents `[nz, ny, nx]`.
    case invalidShape([Int])
    /// A voxel array whose length is not the product of the shape.
    case voxelCountMismatch(shape: [Int], expected: Int, got: Int)
    /// Ellipsoid radii that are not all positive.
    case invalidRadii([Int])
    /// A spacing with a zero, negative or non-finite extent.
    case invalidSpacing(Spacing)
    /// Prediction and reference are on grids of different shapes.
    case shapeMismatch(prediction: [Int], reference: [Int])
    /// Prediction and reference are on grids of different voxel spacings.
    case spacingMismatch(prediction: Spacing, reference: Spacing)

    /// What is wrong, with the values at fault.
    public var description: String {
        switch self {
        case .invalidShape(let shape):
            return "invalid volume shape \(shape): expected three positive extents [nz, ny, nx]"
        case .voxelCountMismatch(let shape, let expected, let got):
            return "volume of shape \(shape) needs \(expected) voxels, got \(got)"
        case .invalidRadii(let radii):
            return "invalid ellipsoid radii \(radii) [z, y, x]: every radius must be positive"
        case .invalidSpacing(let spacing):
            return "invalid voxel spacing \(spacing): every extent must be finite and positive"
        case .shapeMismatch(let prediction, let reference):
            return "geometry mismatch: prediction has shape \(prediction), reference has shape \(reference)"
        case .spacingMismatch(let prediction, let reference):
            return "geometry mismatch: prediction has spacing \(prediction), reference has spacing \(reference)"
        }
    }

    /// The same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
