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
            let line = UnsafeMutablePointer<Double>.allocate(capacity: longest)
            let sites = UnsafeMutablePointer<Int>.allocate(capacity: longest)
            let bounds = UnsafeMutablePointer<Double>.allocate(capacity: longest + 1)
            defer {
                line.deallocate()
                sites.deallocate()
                bounds.deallocate()
            }
            let d = out.baseAddress!
            let seed = seeds.baseAddress!
            for row in 0..<(nz * ny) {
                nearestAlongRow(seed + row * nx, count: nx, spacing: spacing.x, into: d + row * nx)
            }
            let plane = ny * nx
            if ny > 1 {
                for z in 0..<nz {
                    for x in 0..<nx {
                        let start = d + z * plane + x
                        for y in 0..<ny { line[y] = start[y * nx] }
                        lowerEnvelope(
                            line, count: ny, spacing: spacing.y, sites: sites, bounds: bounds,
                            into: start, stride: nx)
                    }
                }
            }
            if nz > 1 {
                for column in 0..<plane {
                    let start = d + column
                    for z in 0..<nz { line[z] = start[z * plane] }
                    lowerEnvelope(
                        line, count: nz, spacing: spacing.z, sites: sites, bounds: bounds,
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
    @inline(__always)
    private static func lowerEnvelope(
        _ f: UnsafeMutablePointer<Double>, count n: Int, spacing s: Double,
        sites v: UnsafeMutablePointer<Int>, bounds z: UnsafeMutablePointer<Double>,
        into out: UnsafeMutablePointer<Double>, stride: Int
    ) {
        let s2 = s * s
        // k is the index of the rightmost parabola of the envelope; -1 while it is empty.
        // Samples at +infinity (no seed in their sub-grid) contribute no parabola.
        var k = -1
        for q in 0..<n where f[q] < .infinity {
            let fq = f[q] + s2 * Double(q * q)
            if k < 0 {
                k = 0
                v[0] = q
                z[0] = -.infinity
                z[1] = .infinity
                continue
            }
            var crossing: Double
            repeat {
                let r = v[k]
                crossing = (fq - (f[r] + s2 * Double(r * r))) / (2 * s2 * Double(q - r))
                if crossing <= z[k] { k -= 1 } else { break }
            } while true
            // z[0] = -infinity stops the loop at k = 0 at the latest.
            k += 1
            v[k] = q
            z[k] = crossing
            z[k + 1] = .infinity
        }
        guard k >= 0 else {
            for p in 0..<n { out[p * stride] = .infinity }
            return
        }
        var j = 0
        for p in 0..<n {
            while z[j + 1] < Double(p) { j += 1 }
            let offset = Double(p - v[j]) * s
            out[p * stride] = f[v[j]] + offset * offset
        }
    }
}
