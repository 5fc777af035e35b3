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
        var argmax = [Int32](repeating: 0, count: recording ? planes * oh * ow : 0)
        // One task per plane (disjoint outputs), on BLAS.threads threads.
        let y = Tensor(shape: [x.batch, x.channels, oh, ow]) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                argmax.withUnsafeMutableBufferPointer { am in
                    // An empty array may still hand out a (shared) base address: never write through it.
                    let (xp, yp, ap) = (xs.baseAddress!, ys.baseAddress!, recording ? am.baseAddress : nil)
                    parallelFor(planes) { p in
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let corner = p * height * width + 2 * oy * width + 2 * ox
                                var best = corner
                                if xp[corner + 1] > xp[best] { best = corner + 1 }
                                if xp[corner + width] > xp[best] { best = corner + width }
                                if xp[corner + width + 1] > xp[best] { best = corner + width + 1 }
                                let o = (p * oh + oy) * ow + ox
                                yp[o] = xp[best]
                                if let ap { ap[o] = Int32(best) }
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
        let planes = record.inputShape[0] * record.inputShape[1]
        let perPlane = dy.count / planes
        // Each plane's maxima lie in its own input plane: one task per plane, which zeroes its
        // plane first.
        let inputPlane = record.inputShape[2] * record.inputShape[3]
        return Tensor(shape: record.inputShape) { dx in
            dy.scalars.withUnsafeBufferPointer { dys in
                record.argmax.withUnsafeBufferPointer { am in
                    let (dxp, dyp, ap) = (dx.baseAddress!, dys.baseAddress!, am.baseAddress!)
                    parallelFor(planes) { p in
                        (dxp + p * inputPlane).update(repeating: 0, count: inputPlane)
                        for o in p * perPlane..<(p + 1) * perPlane { dxp[Int(ap[o])] += dyp[o] }
                    }
                }
            }
        }
    }
}
