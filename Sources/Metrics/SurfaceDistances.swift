import VoxelGeometry

/// The distances between the surfaces of a prediction A and a reference B, in millimetres, and
/// the metrics medpy builds from them.
///
/// `predictionToReference[i]` is the distance from the i-th border voxel of A (ascending index
/// order) to the nearest border voxel of B, measured between voxel centres with the grid's
/// spacing; `referenceToPrediction` the other way round. Surfaces as in `Surface`.
public struct SurfaceDistances: Sendable {
    /// Distance of each border voxel of the prediction to the reference's border (d(A->B)).
    public let predictionToReference: [Double]
    /// Distance of each border voxel of the reference to the prediction's border (d(B->A)).
    public let referenceToPrediction: [Double]

    /// The distances between the surfaces of two masks of one grid, measured with the
    /// reference's spacing; nil when either mask is empty (there is no surface to measure).
    ///
    /// - Throws: `MetricsError.shapeMismatch` or `.spacingMismatch` when the grids differ.
    public init?(prediction: BinaryVolume, reference: BinaryVolume) throws {
        try checkSameGrid(prediction: prediction, reference: reference)
        let found: ([Double], [Double])? = prediction.voxels.withUnsafeBufferPointer { a in
            reference.voxels.withUnsafeBufferPointer { b in
                Self.measure(a, b, nz: reference.nz, ny: reference.ny, nx: reference.nx, spacing: reference.spacing)
            }
        }
        guard let (forward, backward) = found else { return nil }
        predictionToReference = forward
        referenceToPrediction = backward
    }

    /// Directed means and pooled sets need both sides non-empty; `measure` guarantees that.
    private static func measure(
        _ a: UnsafeBufferPointer<Bool>, _ b: UnsafeBufferPointer<Bool>, nz: Int, ny: Int, nx: Int, spacing: Spacing
    ) -> ([Double], [Double])? {
        guard let boxA = VoxelBox.bounding(a, nz: nz, ny: ny, nx: nx),
            let boxB = VoxelBox.bounding(b, nz: nz, ny: ny, nx: nx)
        else { return nil }
        // Every border voxel lies in the union of the bounding boxes, and so does every
        // nearest border voxel; the separable transform restricted to this box is therefore
        // exact there, and it skips the background that fills most of a medical volume.
        let box = boxA.union(boxB)
        let borderA = BoxBorder(mask: a, nz: nz, ny: ny, nx: nx, box: box)
        let borderB = BoxBorder(mask: b, nz: nz, ny: ny, nx: nx, box: box)
        func distances(from source: BoxBorder, to target: BoxBorder) -> [Double] {
            let squared = target.mask.withUnsafeBufferPointer { seeds in
                DistanceTransform.squaredDistances(
                    seeds: seeds, nz: box.depth, ny: box.height, nx: box.width, spacing: spacing)
            }
            return source.indices.map { squared[$0].squareRoot() }
        }
        return (distances(from: borderA, to: borderB), distances(from: borderB, to: borderA))
    }

    /// Mean of d(A->B), medpy's `asd(prediction, reference)`.
    public var meanPredictionToReference: Double { Self.mean(predictionToReference) }

    /// Mean of d(B->A), medpy's `asd(reference, prediction)`.
    public var meanReferenceToPrediction: Double { Self.mean(referenceToPrediction) }

    /// Average symmetric surface distance as medpy <= 0.4 (and the paper's era) defines it:
    /// the mean of the two directed mean distances.
    public var assd: Double { (meanPredictionToReference + meanReferenceToPrediction) / 2 }

    /// Average symmetric surface distance as medpy >= 0.5 defines it: the mean of the pooled
    /// set of both directions' distances, which weighs the larger surface more.
    public var assdPooled: Double {
        (Self.sum(predictionToReference) + Self.sum(referenceToPrediction))
            / Double(predictionToReference.count + referenceToPrediction.count)
    }

    /// 95th percentile of the pooled distances of both directions (medpy's `hd95`), with numpy's
    /// linear interpolation between order statistics.
    public var hd95: Double {
        Percentile.linear(predictionToReference + referenceToPrediction, 95)
    }

    /// The symmetric Hausdorff distance: the largest distance of either direction.
    public var hausdorff: Double {
        max(predictionToReference.max()!, referenceToPrediction.max()!)
    }

    private static func sum(_ values: [Double]) -> Double { values.reduce(0, +) }
    private static func mean(_ values: [Double]) -> Double { sum(values) / Double(values.count) }
}

/// Checks that two masks share one grid: same shape and, within `Spacing.isClose`, one spacing.
///
/// - Throws: `MetricsError.shapeMismatch` or `MetricsError.spacingMismatch`.
public func checkSameGrid(prediction: BinaryVolume, reference: BinaryVolume) throws {
    guard prediction.shape == reference.shape else {
        throw MetricsError.shapeMismatch(prediction: prediction.shape, reference: reference.shape)
    }
    guard prediction.spacing.isClose(to: reference.spacing) else {
        throw MetricsError.spacingMismatch(prediction: prediction.spacing, reference: reference.spacing)
    }
}
