/// Object surfaces as medpy defines them: border = mask XOR erode(mask), where the erosion uses
/// the 6-neighbourhood (face neighbours) and everything outside the array is background, so
/// foreground voxels on the array edge are always border voxels.
public enum Surface {
    /// The border voxels of `volume`'s foreground, on the same grid.
    public static func border(of volume: BinaryVolume) -> BinaryVolume {
        let full = VoxelBox(nz: volume.nz, ny: volume.ny, nx: volume.nx)
        let border = volume.voxels.withUnsafeBufferPointer { mask in
            BoxBorder(mask: mask, nz: volume.nz, ny: volume.ny, nx: volume.nx, box: full)
        }
        // The full box has the volume's shape, so the voxel count always matches.
        return try! BinaryVolume(shape: volume.shape, spacing: volume.spacing, voxels: border.mask)
    }
}
