import VoxelGeometry

/// The in-plane correspondence between a case's original grid and the S x S grid the networks
/// see: both cover the same field of view, so the stored grid's spacing is the original
/// spacing times original size / S. Slices are never resampled.
public struct InPlaneMapping: Sendable, Equatable, Codable {
    /// The original slice size.
    public var original: SliceSize
    /// The stored (network) slice size.
    public var stored: SliceSize

    /// The mapping between an original slice size and the stored one.
    public init(original: SliceSize, stored: SliceSize) {
        self.original = original
        self.stored = stored
    }

    /// The stored grid's spacing for an original spacing.
    public func storedSpacing(_ originalSpacing: Spacing) -> Spacing {
        Spacing(x: originalSpacing.x * Double(original.nx) / Double(stored.nx),
                y: originalSpacing.y * Double(original.ny) / Double(stored.ny), z: originalSpacing.z)
    }

    /// The stored grid's orientation: the same direction, the origin moved to the centre of
    /// stored pixel (0, 0), which sits at original pixel coordinate (0.5 * n0 / S - 0.5).
    public func storedOrientation(_ originalOrientation: Orientation, originalSpacing: Spacing) -> Orientation {
        let shiftX = (0.5 * Double(original.nx) / Double(stored.nx) - 0.5) * originalSpacing.x
        let shiftY = (0.5 * Double(original.ny) / Double(stored.ny) - 0.5) * originalSpacing.y
        let d = originalOrientation.direction
        let origin = (0..<3).map { r in originalOrientation.origin[r] + d[3 * r] * shiftX + d[3 * r + 1] * shiftY }
        return Orientation(origin: origin, direction: d)
    }

    /// An original-grid image slice resampled bilinearly to the stored grid.
    public func imageToStored(_ slice: [Float]) -> [Float] {
        Preprocessing.resampleBilinear(slice, from: original, to: stored)
    }

    /// An original-grid mask slice resampled by nearest neighbour to the stored grid.
    public func maskToStored(_ slice: [UInt8]) -> [UInt8] {
        Preprocessing.resampleNearest(slice, from: original, to: stored)
    }

    /// A predicted stored-grid mask slice mapped back to the original grid by nearest neighbour.
    public func maskToOriginal(_ slice: [UInt8]) -> [UInt8] {
        Preprocessing.resampleNearest(slice, from: stored, to: original)
    }

    /// A stored-grid foreground probability slice resampled bilinearly to the original grid
    /// and thresholded at 0.5: smoother boundaries than ``maskToOriginal(_:)`` when upsampling.
    public func probabilitiesToOriginal(_ slice: [Float]) -> [UInt8] {
        Preprocessing.resampleBilinear(slice, from: stored, to: original).map { $0 > 0.5 ? 1 : 0 }
    }
}
