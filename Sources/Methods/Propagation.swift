import Datasets
import TrainingCore

/// Ours' self-supervised pseudo-labels: the central slice's manual mask carried slice by
/// slice through a volume by displacement fields (docs/methods.md, Ours stage 2).
public enum LabelPropagation {
    /// How a mask is warped.
    public enum Interpolation: String, Sendable, CaseIterable {
        /// The one-hot label warped bilinearly, foreground where it exceeds the threshold.
        case bilinear
        /// Nearest neighbour.
        case nearest
    }

    /// Propagates `centralMask` (row-major [ny, nx]) from slice `central` to every slice of a
    /// volume of `sliceCount` slices: mask(c+1) = warp(mask(c), field(c, c+1)), then
    /// mask(c+2) from mask(c+1), and likewise downwards. `field(moving, fixed)` is the
    /// displacement field `[1, 2, ny, nx]` that warps slice `moving` onto slice `fixed`.
    public static func propagate(centralMask: [UInt8], central: Int, sliceCount: Int, size: SliceSize,
                                 interpolation: Interpolation = .bilinear, threshold: Float = 0.5,
                                 field: (_ moving: Int, _ fixed: Int) -> Tensor) -> [[UInt8]] {
        precondition((0..<sliceCount).contains(central) && centralMask.count == size.ny * size.nx, "propagate: bad central slice or mask size")
        var masks = [[UInt8]](repeating: [], count: sliceCount)
        masks[central] = centralMask
        func step(from moving: Int, to fixed: Int) {
            let labels = Tensor(shape: [1, 1, size.ny, size.nx], scalars: masks[moving].map { Float($0) })
            let flow = field(moving, fixed)
            let warped = interpolation == .bilinear
                ? Warp.labelsBilinear(labels, flow: flow, classes: 2, threshold: threshold)
                : Warp.nearest(labels, flow: flow)
            masks[fixed] = warped.scalars.map { $0 > 0.5 ? 1 : 0 }
        }
        for z in stride(from: central + 1, to: sliceCount, by: 1) { step(from: z - 1, to: z) }
        for z in stride(from: central - 1, through: 0, by: -1) { step(from: z + 1, to: z) }
        return masks
    }
}

/// How y_SEMI and y_SSL are combined into y_final (docs/methods.md, Ours stage 3, and the ablations).
public enum PseudoLabelFusion: String, Sendable, CaseIterable {
    /// y_SEMI AND y_SSL (the paper).
    case intersection
    /// y_SEMI OR y_SSL (ablation ours-union).
    case union
    /// y_SEMI alone (ablation ours-semi-only).
    case semiOnly = "semi-only"
    /// y_SSL alone (ablation ours-ssl-only).
    case sslOnly = "ssl-only"

    /// The fused foreground of two masks of equal size.
    public func fuse(semi: [UInt8], ssl: [UInt8]) -> [UInt8] {
        precondition(semi.count == ssl.count, "fuse: masks of \(semi.count) and \(ssl.count) pixels")
        switch self {
        case .intersection: return zip(semi, ssl).map { $0 != 0 && $1 != 0 ? 1 : 0 }
        case .union: return zip(semi, ssl).map { $0 != 0 || $1 != 0 ? 1 : 0 }
        case .semiOnly: return semi.map { $0 != 0 ? 1 : 0 }
        case .sslOnly: return ssl.map { $0 != 0 ? 1 : 0 }
        }
    }
}
