import VoxelGeometry

// In-plane resampling to the network's S x S grid, intensity normalisation, and the inverse
// mapping of predictions back to the original grid.

/// Intensity normalisation and in-plane resampling, shared by import and the phantom.
public enum Preprocessing {
    /// The `p`-th percentile (0...100) of `values`, interpolating linearly between order
    /// statistics (NumPy's default): position p/100 * (n - 1) in the sorted values.
    public static func percentile(_ values: [Float], _ p: Double) -> Float {
        percentiles(values, [p])[0]
    }

    /// Several percentiles of `values`, each from two order statistics found by selection
    /// (linear time: a full sort of a 512 x 512 x 30 volume per case would dominate import).
    public static func percentiles(_ values: [Float], _ ps: [Double]) -> [Float] {
        guard !values.isEmpty else { return ps.map { _ in 0 } }
        var work = values
        return ps.map { p in
            let position = min(max(p, 0), 100) / 100 * Double(work.count - 1)
            let low = Int(position.rounded(.down))
            let lower = select(&work, low)
            // After selecting rank `low`, everything after it is >= it: the next order
            // statistic is the smallest of those.
            let upper = low + 1 < work.count ? work[(low + 1)...].min()! : lower
            return lower + (upper - lower) * Float(position - Double(low))
        }
    }

    /// The element of rank `k` (0-based) of `values`, which it partially reorders: afterwards
    /// values[k] holds it, with no larger element before and no smaller one after it.
    static func select(_ values: inout [Float], _ k: Int) -> Float {
        // Hot loop over every voxel of a volume: an unsafe buffer avoids bounds checks.
        values.withUnsafeMutableBufferPointer { a in
            var low = 0, high = a.count - 1
            while high > low {
                // Median of three as the pivot keeps sorted or constant runs from degrading.
                let mid = low + (high - low) / 2
                if a[mid] < a[low] { a.swapAt(mid, low) }
                if a[high] < a[low] { a.swapAt(high, low) }
                if a[high] < a[mid] { a.swapAt(high, mid) }
                let pivot = a[mid]
                var i = low, j = high
                while i <= j {
                    while a[i] < pivot { i += 1 }
                    while a[j] > pivot { j -= 1 }
                    if i <= j {
                        a.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j { high = j } else if k >= i { low = i } else { break }
            }
            return a[k]
        }
    }

    /// Clips `values` to their `lower` and `upper` percentiles and scales that range to [0, 1]
    /// (all zeros when the range is empty).
    public static func normalise(_ values: [Float], lower: Double = 0.5, upper: Double = 99.5) -> [Float] {
        let bounds = percentiles(values, [lower, upper])
        let low = bounds[0], range = bounds[1] - bounds[0]
        guard range > 0 else { return [Float](repeating: 0, count: values.count) }
        return values.map { min(max(($0 - low) / range, 0), 1) }
    }

    /// The source coordinate of target pixel `i` when `source` pixels are resampled to
    /// `target` pixels over the same extent (pixel centres, align-corners false).
    @inlinable static func sourceCoordinate(_ i: Int, source: Int, target: Int) -> Double {
        (Double(i) + 0.5) * Double(source) / Double(target) - 0.5
    }

    /// Bilinear resampling of a row-major slice to `target`, edges clamped.
    public static func resampleBilinear(_ slice: [Float], from source: SliceSize, to target: SliceSize) -> [Float] {
        precondition(slice.count == source.count, "slice holds \(slice.count) pixels, \(source) expected")
        if source == target { return slice }
        let xs = (0..<target.nx).map { axisWeights($0, source: source.nx, target: target.nx) }
        var output = [Float](repeating: 0, count: target.count)
        for y in 0..<target.ny {
            let (y0, y1, wy) = axisWeights(y, source: source.ny, target: target.ny)
            for x in 0..<target.nx {
                let (x0, x1, wx) = xs[x]
                let top = slice[y0 * source.nx + x0] * (1 - wx) + slice[y0 * source.nx + x1] * wx
                let bottom = slice[y1 * source.nx + x0] * (1 - wx) + slice[y1 * source.nx + x1] * wx
                output[y * target.nx + x] = top * (1 - wy) + bottom * wy
            }
        }
        return output
    }

    private static func axisWeights(_ i: Int, source: Int, target: Int) -> (Int, Int, Float) {
        let u = min(max(sourceCoordinate(i, source: source, target: target), 0), Double(source - 1))
        let low = Int(u.rounded(.down))
        return (low, min(low + 1, source - 1), Float(u - Double(low)))
    }

    /// Nearest-neighbour resampling of a row-major slice to `target`: target pixel i takes
    /// source pixel floor((i + 0.5) * source / target), the one whose extent holds its centre.
    public static func resampleNearest<T>(_ slice: [T], from source: SliceSize, to target: SliceSize) -> [T] {
        precondition(slice.count == source.count, "slice holds \(slice.count) pixels, \(source) expected")
        if source == target { return slice }
        let xs = (0..<target.nx).map { min((2 * $0 + 1) * source.nx / (2 * target.nx), source.nx - 1) }
        var output = [T]()
        output.reserveCapacity(target.count)
        for y in 0..<target.ny {
            let sy = min((2 * y + 1) * source.ny / (2 * target.ny), source.ny - 1)
            for x in 0..<target.nx { output.append(slice[sy * source.nx + xs[x]]) }
        }
        return output
    }
}
