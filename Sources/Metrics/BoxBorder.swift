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
