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
