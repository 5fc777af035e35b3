// In-plane resampling to the network's S x S grid, intensity normalisation, and the inverse
// mapping of predictions back to the original grid.

/// The size of a 2D slice: `ny` rows of `nx` columns, row-major.
public struct SliceSize: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Rows.
    public var ny: Int
    /// Columns.
    public var nx: Int

    public init(ny: Int, nx: Int) {
        self.ny = ny
        self.nx = nx
    }

    /// A square S x S slice.
    public init(square side: Int) { self.init(ny: side, nx: side) }

    /// Pixels per slice.
    public var count: Int { ny * nx }

    public var description: String { "\(ny) x \(nx)" }
}

/// Intensity normalisation and in-plane resampling, shared by import and the phantom.
public enum Preprocessing {
    /// The `p`-th percentile (0...100) of `values`, interpolating linearly between order
    /// statistics (NumPy's default): position p/100 * (n - 1) in the sorted values.
    public static func percentile(_ values: [Float], _ p: Double) -> Float {
        percentiles(values, [p])[0]
    }

    /// Several percentiles of `values` with one sort.
    public static func percentiles(_ values: [Float], _ ps: [Double]) -> [Float] {
        guard !values.isEmpty else { return ps.map { _ in 0 } }
        let sorted = values.sorted()
        return ps.map { p in
            let position = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            let fraction = Float(position - Double(low))
            return sorted[low] + (sorted[high] - sorted[low]) * fraction
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

/// The in-plane correspondence between a case's original grid and the S x S grid the networks
/// see: both cover the same field of view, so the stored grid's spacing is the original
/// spacing times original size / S. Slices are never resampled.
public struct InPlaneMapping: Sendable, Equatable, Codable {
    /// The original slice size.
    public var original: SliceSize
    /// The stored (network) slice size.
    public var stored: SliceSize

    public init(original: SliceSize, stored: SliceSize) {
        self.original = original
        self.stored = stored
    }

    /// The stored grid's spacing for an original spacing.
    public func storedSpacing(_ originalSpacing: Spacing) -> Spacing {
        Spacing(x: originalSpacing.x * Double(original.nx) / Double(stored.nx),
                y: originalSpacing.y * Double(original.ny) / Double(stored.ny), z: originalSpacing.z)
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
