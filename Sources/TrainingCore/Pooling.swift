/// 2x2 max pooling, stride 2; an odd last row or column is dropped (PyTorch's floor mode).
///
///     forward   x [B, C, H, W] -> y [B, C, H/2, W/2],  y = max of each 2x2 window
///     backward  dy -> dx: each dy goes to the window's (first) maximum, zero elsewhere
public final class MaxPool2d: StatelessLayer {
    private struct Record {
        var inputShape: [Int]
        /// For each output element, the input index of its maximum.
        var argmax: [Int32]
    }
    private var records: [Record] = []

    /// A 2x2, stride-2 max pooling.
    public init() {}

    public func clearRecords() { records.removeAll() }

    /// `x [B, C, H, W] -> [B, C, H/2, W/2]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        precondition(x.shape.count == 4 && x.height >= 2 && x.width >= 2, "MaxPool2d: input \(x.shape) too small")
        let (planes, height, width) = (x.batch * x.channels, x.height, x.width)
        let (oh, ow) = (height / 2, width / 2)
        var y = Tensor(shape: [x.batch, x.channels, oh, ow])
        var argmax = [Int32](repeating: 0, count: recording ? y.count : 0)
        x.scalars.withUnsafeBufferPointer { xs in
            y.scalars.withUnsafeMutableBufferPointer { ys in
                argmax.withUnsafeMutableBufferPointer { am in
                    for p in 0..<planes {
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let corner = p * height * width + 2 * oy * width + 2 * ox
                                var best = corner
                                if xs[corner + 1] > xs[best] { best = corner + 1 }
                                if xs[corner + width] > xs[best] { best = corner + width }
                                if xs[corner + width + 1] > xs[best] { best = corner + width + 1 }
                                let o = (p * oh + oy) * ow + ox
                                ys[o] = xs[best]
                                if recording { am[o] = Int32(best) }
                            }
                        }
                    }
                }
            }
        }
        if recording { records.append(Record(inputShape: x.shape, argmax: argmax)) }
        return y
    }

    /// `dy [B, C, H/2, W/2] -> dx [B, C, H, W]`.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let record = records.popLast() else { preconditionFailure("MaxPool2d.backward without a recorded forward") }
        precondition(dy.count == record.argmax.count, "MaxPool2d.backward: dy \(dy.shape) for input \(record.inputShape)")
        var dx = Tensor(shape: record.inputShape)
        for (o, i) in record.argmax.enumerated() { dx.scalars[Int(i)] += dy.scalars[o] }
        return dx
    }
}
