/// Voxel counts of a prediction A and a reference B, and the overlap metrics made from them.
///
/// Definitions (docs/methods.md, "Metrics"): Dice = 2|A n B| / (|A| + |B|), IoU = |A n B| / |A u B|,
/// both 1 when both masks are empty; RAVD = (|A| - |B|) / |B|, undefined for an empty reference.
public struct OverlapCounts: Sendable, Hashable {
    /// |A|, foreground voxels of the prediction.
    public let prediction: Int
    /// |B|, foreground voxels of the reference.
    public let reference: Int
    /// |A n B|.
    public let intersection: Int

    /// Counts from known values (e.g. from another grid's bookkeeping).
    public init(prediction: Int, reference: Int, intersection: Int) {
        precondition(prediction >= 0 && reference >= 0 && intersection >= 0)
        precondition(intersection <= min(prediction, reference), "intersection larger than a mask")
        self.prediction = prediction
        self.reference = reference
        self.intersection = intersection
    }

    /// Counts two masks of one grid in a single pass.
    public init(prediction: BinaryVolume, reference: BinaryVolume) {
        precondition(prediction.shape == reference.shape, "masks of different shapes")
        var a = 0, b = 0, both = 0
        prediction.voxels.withUnsafeBufferPointer { pa in
            reference.voxels.withUnsafeBufferPointer { pb in
                // Raw bytes (0 or 1) without bounds checks: this pass touches every voxel of
                // the volume and is the floor of what any metric costs.
                pa.withMemoryRebound(to: UInt8.self) { ba in
                    pb.withMemoryRebound(to: UInt8.self) { bb in
                        for i in 0..<ba.count {
                            let u = Int(ba[i]), v = Int(bb[i])
                            a &+= u
                            b &+= v
                            both &+= u & v
                        }
                    }
                }
            }
        }
        self.init(prediction: a, reference: b, intersection: both)
    }

    /// |A u B|.
    public var union: Int { prediction + reference - intersection }

    /// Dice coefficient; 1 when both masks are empty, 0 when exactly one is.
    public var dice: Double {
        let total = prediction + reference
        return total == 0 ? 1 : 2 * Double(intersection) / Double(total)
    }

    /// Intersection over union (Jaccard); 1 when both masks are empty, 0 when exactly one is.
    public var iou: Double {
        union == 0 ? 1 : Double(intersection) / Double(union)
    }

    /// Signed relative absolute volume difference (|A| - |B|) / |B|; nil for an empty reference.
    public var ravd: Double? {
        reference == 0 ? nil : (Double(prediction) - Double(reference)) / Double(reference)
    }
}
