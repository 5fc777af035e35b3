import Foundation
import SeededRandom

/// Leaky rectifier, elementwise (slope 0 gives ReLU).
///
///     forward   y = x if x > 0 else slope * x          [any shape]
///     backward  dx = dy if y > 0 else slope * dy
public final class LeakyReLU: StatelessLayer {
    /// The factor applied to negative inputs.
    public let slope: Float
    private var records: [Tensor] = []

    /// `slope` 0.01 in the U-Net, 0.2 in the registration net, 0 for a plain ReLU.
    public init(slope: Float) { self.slope = slope }

    public func clearRecords() { records.removeAll() }

    /// `x -> y`, same shape.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        let slope = self.slope
        // Branch-free select so that the loop vectorises.
        let y = Tensor(shape: x.shape) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                for i in 0..<xs.count {
                    let v = xs[i]
                    ys[i] = v > 0 ? v : v * slope
                }
            }
        }
        if recording { records.append(y) }
        return y
    }

    /// `dy -> dx`, same shape; consumes the most recent record.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = records.popLast() else { preconditionFailure("LeakyReLU.backward without a recorded forward") }
        precondition(dy.shape == y.shape, "LeakyReLU.backward: dy \(dy.shape) for \(y.shape)")
        let slope = self.slope
        return Tensor(shape: dy.shape) { dxs in
            dy.scalars.withUnsafeBufferPointer { dys in
                y.scalars.withUnsafeBufferPointer { ys in
                    for i in 0..<dys.count { dxs[i] = ys[i] > 0 ? dys[i] : dys[i] * slope }
                }
            }
        }
    }
}

/// Elementwise (inverted) dropout, as PyTorch's nn.Dropout: in training each element is zeroed
/// with probability p and the survivors are scaled by 1/(1-p); in evaluation it is the identity.
///
///     forward   y = x * mask,  mask = 0 or 1/(1-p)        [any shape]
///     backward  dx = dy * mask
///
/// The n-th mask is drawn from `generator.derived("mask", n)`, and n is a checkpointed
/// ``Counter``, so a resumed run draws the masks an uninterrupted one would.
public final class Dropout: Module {
    /// The probability p of zeroing an element.
    public let probability: Float
    private let generator: SeededGenerator
    /// Masks drawn so far.
    public let draws: Counter
    /// Whether masks are drawn (training) or the layer is the identity (evaluation).
    public private(set) var isTraining = true
    private var records: [[Float]?] = []

    /// A dropout layer whose masks derive from `generator` (give each layer its own stream).
    public init(name: String, probability: Float, generator: SeededGenerator) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) outside [0, 1)")
        self.probability = probability
        self.generator = generator
        self.draws = Counter(name: name + ".draws")
    }

    public var parameters: [Parameter] { [] }
    public var buffers: [Buffer] { [] }
    public var counters: [Counter] { [draws] }
    public func setTraining(_ training: Bool) { isTraining = training }
    public func clearRecords() { records.removeAll() }

    /// `x -> x * mask`, same shape; draws a fresh mask in training.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        guard isTraining && probability > 0 else {
            if recording { records.append(nil) }
            return x
        }
        let random = generator.derived("mask", draws.value)
        draws.value += 1
        let scale = 1 / (1 - probability)
        // 24-bit uniforms, two per 64-bit draw: dropout masks are a visible share of a step.
        let threshold = UInt64((Double(probability) * 16_777_216).rounded())
        // Each plane (one channel of one slice) draws from its own stream, so planes run on
        // several threads and the mask does not depend on their number. The mask and
        // y = x * mask are written in one pass, neither zero-filled first.
        let (count, plane) = (x.count, max(1, x.shape.count == 4 ? x.height * x.width : x.count))
        guard count > 0 else {
            if recording { records.append([]) }
            return x
        }
        var mask = Tensor(shape: x.shape) { _ in }
        let y = Tensor(shape: x.shape) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                mask.scalars.withUnsafeMutableBufferPointer { m in
                    let (xp, yp, mp) = (xs.baseAddress!, ys.baseAddress!, m.baseAddress!)
                    parallelFor(count / plane) { p in
                        var stream = random.derived("plane", p)
                        var i = p * plane
                        let end = i + plane
                        while i < end {
                            let bits = stream.next()
                            mp[i] = (bits >> 40) >= threshold ? scale : 0
                            yp[i] = xp[i] * mp[i]
                            if i + 1 < end {
                                mp[i + 1] = ((bits >> 8) & 0xFF_FFFF) >= threshold ? scale : 0
                                yp[i + 1] = xp[i + 1] * mp[i + 1]
                            }
                            i += 2
                        }
                    }
                }
            }
        }
        if recording { records.append(mask.scalars) }
        return y
    }

    /// `dy -> dy * mask` with the recorded mask.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let record = records.popLast() else { preconditionFailure("Dropout.backward without a recorded forward") }
        guard let mask = record else { return dy }
        precondition(mask.count == dy.count, "Dropout.backward: dy \(dy.shape) does not match the recorded mask")
        return Ops.multiply(dy, Tensor(shape: dy.shape, scalars: mask))
    }
}

/// Softmax and log-softmax over the channel dimension of `[B, K, H, W]` tensors, their
/// backwards, and the argmax over channels.
public enum Softmax {
    /// `logits [B, K, H, W] -> p [B, K, H, W]`, p = exp(z - max) / sum exp(z - max) per pixel.
    public static func forward(_ logits: Tensor) -> Tensor {
        exponential(logSoftmax(logits))
    }

    /// `log p -> p`, elementwise exp.
    static func exponential(_ logp: Tensor) -> Tensor {
        logp.updatingScalars { p in
            for i in 0..<logp.count { p[i] = exp(p[i]) }
        }
    }

    /// `dp, p -> dlogits`: dz_k = p_k (dp_k - sum_j p_j dp_j).
    public static func backward(_ dp: Tensor, probabilities p: Tensor) -> Tensor {
        precondition(dp.shape == p.shape, "Softmax.backward: dp \(dp.shape) vs p \(p.shape)")
        return Tensor(shape: p.shape) { dz in
            withPixels(p, dp) { pp, dpp in
                forEachPixel(p.shape) { offsets in
                    var inner: Float = 0
                    for o in offsets { inner += pp[o] * dpp[o] }
                    for o in offsets { dz[o] = pp[o] * (dpp[o] - inner) }
                }
            }
        }
    }

    /// `logits [B, K, H, W] -> log p [B, K, H, W]`, computed stably (z - max - log sum exp(z - max)).
    public static func logSoftmax(_ logits: Tensor) -> Tensor {
        precondition(logits.shape.count == 4, "Softmax: logits \(logits.shape), expected [B, K, H, W]")
        return Tensor(shape: logits.shape) { out in
            logits.scalars.withUnsafeBufferPointer { z in
                forEachPixel(logits.shape) { offsets in
                    var top = -Float.infinity
                    for o in offsets { top = max(top, z[o]) }
                    var total: Float = 0
                    for o in offsets { total += exp(z[o] - top) }
                    let shift = top + log(total)
                    for o in offsets { out[o] = z[o] - shift }
                }
            }
        }
    }

    /// `dlogp, log p -> dlogits`: dz_k = dlogp_k - p_k sum_j dlogp_j.
    public static func logSoftmaxBackward(_ dlogp: Tensor, logProbabilities logp: Tensor) -> Tensor {
        precondition(dlogp.shape == logp.shape, "Softmax.logSoftmaxBackward: \(dlogp.shape) vs \(logp.shape)")
        return Tensor(shape: logp.shape) { dz in
            withPixels(dlogp, logp) { d, lp in
                forEachPixel(logp.shape) { offsets in
                    var total: Float = 0
                    for o in offsets { total += d[o] }
                    for o in offsets { dz[o] = d[o] - exp(lp[o]) * total }
                }
            }
        }
    }

    /// The class of highest score at each pixel: `[B, K, H, W] -> [B*H*W]` labels (row-major
    /// over b, y, x); ties go to the lower class.
    public static func argmax(_ scores: Tensor) -> [Int32] {
        let (batch, classes, plane) = (scores.batch, scores.channels, scores.height * scores.width)
        var labels = [Int32](repeating: 0, count: batch * plane)
        for b in 0..<batch {
            for i in 0..<plane {
                var best = 0
                for k in 1..<max(classes, 1) where scores.scalars[(b * classes + k) * plane + i] > scores.scalars[(b * classes + best) * plane + i] {
                    best = k
                }
                labels[b * plane + i] = Int32(best)
            }
        }
        return labels
    }

    /// One-hot `[B, K, H, W]` of `labels` (`[B*H*W]`, values in 0..<K).
    public static func oneHot(_ labels: [Int32], classes: Int, batch: Int, height: Int, width: Int) -> Tensor {
        precondition(labels.count == batch * height * width, "oneHot: \(labels.count) labels for [\(batch), \(height), \(width)]")
        let plane = height * width
        var out = Tensor(shape: [batch, classes, height, width])
        out.scalars.withUnsafeMutableBufferPointer { o in
            for b in 0..<batch {
                for i in 0..<plane {
                    let k = Int(labels[b * plane + i])
                    precondition(k >= 0 && k < classes, "oneHot: label \(k) outside 0..<\(classes)")
                    o[(b * classes + k) * plane + i] = 1
                }
            }
        }
        return out
    }
}

/// Calls `body` with the scalars of two tensors: the per-pixel loops of the softmax and the
/// losses index them at K strided offsets, which the array accessors would bounds-check and
/// uniqueness-check element by element.
@inline(__always)
func withPixels<R>(_ a: Tensor, _ b: Tensor, _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> R) -> R {
    a.scalars.withUnsafeBufferPointer { a in b.scalars.withUnsafeBufferPointer { b in body(a, b) } }
}

/// Calls `body` once per pixel of a `[B, K, H, W]` shape with the K offsets of that pixel.
@inline(__always)
func forEachPixel(_ shape: [Int], _ body: (StrideTo<Int>) -> Void) {
    let (batch, classes, plane) = (shape[0], shape[1], shape[2] * shape[3])
    for b in 0..<batch {
        for i in 0..<plane {
            let start = b * classes * plane + i
            body(stride(from: start, to: start + classes * plane, by: plane))
        }
    }
}
