/// Where a prediction goes wrong along the slice axis: how well it overlaps the gland on the
/// slices that contain gland, and how much it predicts on the slices that contain none.
///
/// A method that over-segments (predicts gland above and below the gland, as the
/// semi-supervised baselines do on short schedules) loses 3D Dice on the gland-free slices
/// while its in-gland overlap may be fine; these two numbers tell the two apart.
///
/// Definitions, with z the slice axis of the grid (axial slices), A the prediction and B the
/// reference:
/// - gland slices G = { z : B has foreground on slice z };
/// - `glandSliceDice` = 2|A n B| / (|A restricted to G| + |B|), the Dice of the volumes
///   restricted to G; nil when B is empty (there is no gland slice);
/// - `falsePositiveMillilitres` = |A restricted to slices outside G| * voxel volume, in mL
///   (1 mL = 1,000 mm^3). Every voxel there is a false positive.
public struct SliceDiagnostics: Sendable, Equatable {
    /// Dice on the slices whose reference has foreground; nil for an empty reference.
    public let glandSliceDice: Double?
    /// Predicted volume on the slices whose reference has no foreground, in millilitres.
    public let falsePositiveMillilitres: Double
    /// How many slices have reference foreground.
    public let glandSlices: Int

    /// The diagnostics of `prediction` against `reference`.
    ///
    /// - Throws: `MetricsError.shapeMismatch` or `.spacingMismatch` when the grids differ.
    public init(prediction: BinaryVolume, reference: BinaryVolume) throws {
        try checkSameGrid(prediction: prediction, reference: reference)
        let plane = reference.ny * reference.nx
        var inGland = (a: 0, b: 0, both: 0), outside = 0, slices = 0
        for z in 0..<reference.nz {
            let range = z * plane..<(z + 1) * plane
            var a = 0, b = 0, both = 0
            for i in range {
                let u = prediction.voxels[i], v = reference.voxels[i]
                if u { a += 1 }
                if v { b += 1 }
                if u && v { both += 1 }
            }
            if b > 0 {
                slices += 1
                inGland = (inGland.a + a, inGland.b + b, inGland.both + both)
            } else {
                outside += a
            }
        }
        glandSlices = slices
        glandSliceDice = inGland.b == 0 ? nil : 2 * Double(inGland.both) / Double(inGland.a + inGland.b)
        let voxelMillilitres = reference.spacing.x * reference.spacing.y * reference.spacing.z / 1000
        falsePositiveMillilitres = Double(outside) * voxelMillilitres
    }
}
