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

/// A half-open box of voxels `[z0, z1) x [y0, y1) x [x0, x1)` inside a grid.
struct VoxelBox: Equatable {
    var z0: Int, z1: Int, y0: Int, y1: Int, x0: Int, x1: Int

    /// The whole grid.
    init(nz: Int, ny: Int, nx: Int) {
        (z0, z1, y0, y1, x0, x1) = (0, nz, 0, ny, 0, nx)
    }

    init(z0: Int, z1: Int, y0: Int, y1: Int, x0: Int, x1: Int) {
        (self.z0, self.z1, self.y0, self.y1, self.x0, self.x1) = (z0, z1, y0, y1, x0, x1)
    }

    var depth: Int { z1 - z0 }
    var height: Int { y1 - y0 }
    var width: Int { x1 - x0 }
    var count: Int { depth * height * width }

    /// The smallest box holding every foreground voxel of `mask`, nil when there is none.
    static func bounding(_ mask: UnsafeBufferPointer<Bool>, nz: Int, ny: Int, nx: Int) -> VoxelBox? {
        precondition(mask.count == nz * ny * nx)
        var box: VoxelBox?
        // Most rows of a medical volume are background: test eight voxels per load (a Bool is
        // the byte 0 or 1), and look for the row's ends only where something was found.
        let raw = UnsafeRawPointer(mask.baseAddress!)
        for z in 0..<nz {
            for y in 0..<ny {
                let start = (z * ny + y) * nx
                var word = 0
                var found = false
                while word + 8 <= nx, !found {
                    found = raw.loadUnaligned(fromByteOffset: start + word, as: UInt64.self) != 0
                    word += 8
                }
                if !found {
                    found = mask[(start + word)..<(start + nx)].contains(true)
                }
                guard found else { continue }
                let row = mask[start..<(start + nx)]
                let first = row.firstIndex(of: true)! - start, last = row.lastIndex(of: true)! - start
                let rowBox = VoxelBox(z0: z, z1: z + 1, y0: y, y1: y + 1, x0: first, x1: last + 1)
                box = box.map { $0.union(rowBox) } ?? rowBox
            }
        }
        return box
    }

    /// The smallest box holding both boxes.
    func union(_ other: VoxelBox) -> VoxelBox {
        VoxelBox(
            z0: min(z0, other.z0), z1: max(z1, other.z1), y0: min(y0, other.y0), y1: max(y1, other.y1),
            x0: min(x0, other.x0), x1: max(x1, other.x1))
    }
}

/// The border of a mask inside a box that holds all of its foreground, in box coordinates.
struct BoxBorder {
    /// Border voxels, dense over the box, x fastest.
    var mask: [Bool]
    /// Linear box indices of the border voxels, ascending.
    var indices: [Int]

    init(mask: UnsafeBufferPointer<Bool>, nz: Int, ny: Int, nx: Int, box: VoxelBox) {
        precondition(mask.count == nz * ny * nx)
        var border = [Bool](repeating: false, count: box.count)
        var indices: [Int] = []
        let plane = ny * nx
        border.withUnsafeMutableBufferPointer { out in
            // Unsafe access: six neighbour reads per foreground voxel of a volume-sized mask.
            let m = mask.baseAddress!
            var j = 0
            for z in box.z0..<box.z1 {
                let zInside = z > 0 && z < nz - 1
                for y in box.y0..<box.y1 {
                    let yzInside = zInside && y > 0 && y < ny - 1
                    let rowStart = (z * ny + y) * nx
                    for x in box.x0..<box.x1 {
                        let i = rowStart + x
                        if m[i] {
                            // Eroded (interior) only if all six face neighbours exist and are
                            // foreground; outside the array counts as background.
                            let interior = yzInside && x > 0 && x < nx - 1
                                && m[i - 1] && m[i + 1] && m[i - nx] && m[i + nx]
                                && m[i - plane] && m[i + plane]
                            if !interior {
                                out[j] = true
                                indices.append(j)
                            }
                        }
                        j += 1
                    }
                }
            }
        }
        self.mask = border
        self.indices = indices
    }
}
