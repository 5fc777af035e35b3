import VoxelGeometry

/// Exact Euclidean distance transform of a 3D grid with anisotropic spacing, in linear time.
///
/// For every voxel, the distance in millimetres to the nearest seed voxel (a foreground voxel
/// of the seed mask). This is scipy's `distance_transform_edt` of the inverted mask with
/// `sampling = (z, y, x)` spacing, the transform medpy's surface distances are built on.
///
/// Method: Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions" (Theory of
/// Computing 8, 2012). The squared distance separates into one 1D pass per axis; the x pass is
/// a nearest-seed scan of the binary input, the y and z passes take the lower envelope of the
/// parabolas s^2 (p - q)^2 + f(q) along each line. Every pass is linear in the number of voxels.
public enum DistanceTransform {
    /// Squared distances (mm^2) from every voxel of the grid of `seeds` to its nearest seed voxel,
    /// in the volume's index order; `+infinity` everywhere when there is no seed.
    public static func squaredDistances(toForegroundOf seeds: BinaryVolume) -> [Double] {
        seeds.voxels.withUnsafeBufferPointer { mask in
            squaredDistances(seeds: mask, nz: seeds.nz, ny: seeds.ny, nx: seeds.nx, spacing: seeds.spacing)
        }
    }

    /// Distances (mm) from every voxel of the grid of `seeds` to its nearest seed voxel;
    /// `+infinity` everywhere when there is no seed.
    public static func distances(toForegroundOf seeds: BinaryVolume) -> [Double] {
        squaredDistances(toForegroundOf: seeds).map { $0.squareRoot() }
    }

    /// The transform of a dense `[nz, ny, nx]` mask, x fastest.
    static func squaredDistances(
        seeds: UnsafeBufferPointer<Bool>, nz: Int, ny: Int, nx: Int, spacing: Spacing
    ) -> [Double] {
        precondition(seeds.count == nz * ny * nx, "mask does not fill its shape")
        let longest = max(nx, ny, nz)
        return [Double](unsafeUninitializedCapacity: seeds.count) { out, initialized in
            // Unsafe buffers throughout: each pass visits every voxel with a few arithmetic
            // operations, and bounds checks on the strided gathers would double its cost.
            let scratch = Scratch(longest: longest)
            defer { scratch.deallocate() }
            let line = scratch.line
            let d = out.baseAddress!
            let seed = seeds.baseAddress!
            for row in 0..<(nz * ny) {
                nearestAlongRow(seed + row * nx, count: nx, spacing: spacing.x, into: d + row * nx)
            }
            let plane = ny * nx
            if ny > 1 {
                scratch.prepare(spacing: spacing.y, count: ny)
                for z in 0..<nz {
                    for x in 0..<nx {
                        let start = d + z * plane + x
                        for y in 0..<ny { line[y] = start[y * nx] }
                        lowerEnvelope(
                            line, count: ny, spacing: spacing.y, scratch: scratch,
                            into: start, stride: nx)
                    }
                }
            }
            if nz > 1 {
                scratch.prepare(spacing: spacing.z, count: nz)
                for column in 0..<plane {
                    let start = d + column
                    for z in 0..<nz { line[z] = start[z * plane] }
                    lowerEnvelope(
                        line, count: nz, spacing: spacing.z, scratch: scratch,
                        into: start, stride: plane)
                }
            }
            initialized = seeds.count
        }
    }

    /// First pass: the squared distance along x to the nearest seed of the same row.
    @inline(__always)
    private static func nearestAlongRow(
        _ seed: UnsafePointer<Bool>, count n: Int, spacing: Double, into out: UnsafeMutablePointer<Double>
    ) {
        // Forward sweep stores the offset to the last seed at or before x (n + 1 = none; no
        // real offset reaches n), the backward sweep takes the smaller of it and the next seed's.
        let none = n + 1
        var last = -none
        for x in 0..<n {
            if seed[x] { last = x }
            out[x] = Double(min(x - last, none))
        }
        var next = n + none
        for x in stride(from: n - 1, through: 0, by: -1) {
            if seed[x] { next = x }
            let offset = min(Int(out[x]), next - x)
            out[x] = offset >= none ? .infinity : (Double(offset) * spacing) * (Double(offset) * spacing)
        }
    }

    /// One later pass along a line: `out[p * stride] = min_q f(q) + (s (p - q))^2`, from the
    /// lower envelope of the parabolas rooted at the finite samples of `f`.
    ///
    /// `scratch` holds the envelope: `sites` (roots), `heights` (f(q) + s^2 q^2, the offset of
    /// each parabola written as s^2 p^2 - 2 s^2 q p + height) and `bounds` (where each parabola
    /// starts to be the lowest); `reciprocals[d]` is 1 / (2 s^2 d), so that the crossing of two
    /// parabolas costs a multiplication instead of a division.
    @inline(__always)
    private static func lowerEnvelope(
        _ f: UnsafeMutablePointer<Double>, count n: Int, spacing s: Double, scratch: Scratch,
        into out: UnsafeMutablePointer<Double>, stride: Int
    ) {
        let s2 = s * s
        let v = scratch.sites, h = scratch.heights, z = scratch.bounds, reciprocal = scratch.reciprocals
        // k is the index of the rightmost parabola of the envelope; -1 while it is empty.
        // Samples at +infinity (no seed in their sub-grid) contribute no parabola.
        var k = -1
        for q in 0..<n where f[q] < .infinity {
            let hq = f[q] + s2 * Double(q * q)
            var crossing = -Double.infinity
            while k >= 0 {
                crossing = (hq - h[k]) * reciprocal[q - v[k]]
                if crossing > z[k] { break }
                k -= 1
            }
            k += 1
            v[k] = q
            h[k] = hq
            z[k] = crossing
        }
        guard k >= 0 else {
            for p in 0..<n { out[p * stride] = .infinity }
            return
        }
        z[k + 1] = .infinity
        var j = 0
        for p in 0..<n {
            while z[j + 1] < Double(p) { j += 1 }
            let offset = Double(p - v[j]) * s
            out[p * stride] = f[v[j]] + offset * offset
        }
    }

    /// Work space of the envelope passes, sized for the longest line.
    private struct Scratch {
        let line: UnsafeMutablePointer<Double>
        let sites: UnsafeMutablePointer<Int>
        let heights: UnsafeMutablePointer<Double>
        let bounds: UnsafeMutablePointer<Double>
        let reciprocals: UnsafeMutablePointer<Double>

        init(longest: Int) {
            line = .allocate(capacity: longest)
            sites = .allocate(capacity: longest)
            heights = .allocate(capacity: longest)
            bounds = .allocate(capacity: longest + 1)
            reciprocals = .allocate(capacity: longest)
        }

        /// Fills the reciprocal table for a pass with spacing `s` over lines of `n` samples.
        func prepare(spacing s: Double, count n: Int) {
            for d in 1..<max(n, 1) { reciprocals[d] = 1 / (2 * s * s * Double(d)) }
        }

        func deallocate() {
            line.deallocate()
            sites.deallocate()
            heights.deallocate()
            bounds.deallocate()
            reciprocals.deallocate()
        }
    }
}
