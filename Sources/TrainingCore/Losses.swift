import Foundation

/// The losses of docs/methods.md. Each returns the value and the gradient with respect to its
/// input(s); chain with ``Softmax/backward(_:probabilities:)`` or
/// ``Softmax/logSoftmaxBackward(_:logProbabilities:)`` to reach logits. Values are
/// accumulated in Double. Pixels: P = B*H*W.
public enum Losses {
    /// How a per-pixel weighted cross-entropy is normalised.
    public enum Normalisation: Sendable {
        /// Divide by the sum of the weights: with a 0/1 mask, the mean over the masked pixels
        /// (PyTorch's ignore_index). A zero mask gives loss 0 and gradient 0.
        case weightSum
        /// Divide by the number of pixels P: mean(w * ce), as PyTorch's reduction 'none' then mean().
        case pixelCount
    }

    /// Cross-entropy of `logits [B, K, H, W]` against `labels [P]` (class indices, row-major
    /// over b, y, x), optionally weighted per pixel by `weights [P]`:
    /// L = sum_i w_i (-log softmax(z_i)[y_i]) / normaliser; dL/dz_i = w_i (p_i - onehot(y_i)) / normaliser.
    public static func crossEntropy(logits: Tensor, labels: [Int32], weights: [Float]? = nil,
                                    normalisation: Normalisation = .weightSum) -> LossGradient {
        crossEntropy(logProbabilities: Softmax.logSoftmax(logits), labels: labels, weights: weights, normalisation: normalisation)
    }

    /// ``crossEntropy(logits:labels:weights:normalisation:)`` from `logp = logSoftmax(logits)`
    /// (and `p = exp(logp)` if the caller has it: the U-Net's loss needs both for Dice + CE).
    static func crossEntropy(logProbabilities logp: Tensor, probabilities: Tensor? = nil, labels: [Int32], weights: [Float]? = nil,
                             normalisation: Normalisation = .weightSum) -> LossGradient {
        let (batch, classes, plane) = (logp.batch, logp.channels, logp.height * logp.width)
        precondition(labels.count == batch * plane, "crossEntropy: \(labels.count) labels for logits \(logp.shape)")
        precondition(weights == nil || weights!.count == labels.count, "crossEntropy: \(weights!.count) weights for \(labels.count) labels")
        let weightTotal: Double = weights.map { w in w.reduce(0.0) { $0 + Double($1) } } ?? Double(labels.count)
        let normaliser = normalisation == .weightSum ? weightTotal : Double(labels.count)
        var gradient = Tensor(shape: logp.shape)
        guard normaliser > 0 else { return LossGradient(value: 0, gradient: gradient) }
        let p = probabilities ?? Softmax.exponential(logp)
        var total = 0.0
        gradient.scalars.withUnsafeMutableBufferPointer { dz in
            withPixels(logp, p) { lp, pp in
                for b in 0..<batch {
                    for i in 0..<plane {
                        let pixel = b * plane + i
                        let w = weights?[pixel] ?? 1
                        guard w != 0 else { continue }
                        let label = Int(labels[pixel])
                        precondition(label >= 0 && label < classes, "crossEntropy: label \(label) outside 0..<\(classes)")
                        let scale = Float(Double(w) / normaliser)
                        for k in 0..<classes {
                            let o = (b * classes + k) * plane + i
                            dz[o] = scale * (pp[o] - (k == label ? 1 : 0))
                        }
                        total -= Double(w) * Double(lp[(b * classes + label) * plane + i])
                    }
                }
            }
        }
        return LossGradient(value: Float(total / normaliser), gradient: gradient)
    }

    /// Dice loss of SSL4MIS: the mean over classes k of
    /// 1 - (2 sum(p_k g_k) + s) / (sum(p_k^2) + sum(g_k^2) + s), s = 1e-5, sums over the whole
    /// batch. `probabilities` and `target` are `[B, K, H, W]` (target one-hot or soft);
    /// the gradient is with respect to the probabilities.
    public static func dice(probabilities p: Tensor, target g: Tensor, smooth: Double = 1e-5) -> LossGradient {
        precondition(p.shape == g.shape && p.shape.count == 4, "dice: probabilities \(p.shape) vs target \(g.shape)")
        let (batch, classes, plane) = (p.batch, p.channels, p.height * p.width)
        var total = 0.0
        let gradient = Tensor(shape: p.shape) { dp in
            withPixels(p, g) { p, g in
                for k in 0..<classes {
                    var intersection = 0.0, pp = 0.0, gg = 0.0
                    for b in 0..<batch {
                        let base = (b * classes + k) * plane
                        for i in base..<base + plane {
                            let (pv, gv) = (Double(p[i]), Double(g[i]))
                            intersection += pv * gv
                            pp += pv * pv
                            gg += gv * gv
                        }
                    }
                    let numerator = 2 * intersection + smooth, denominator = pp + gg + smooth
                    total += 1 - numerator / denominator
                    // d/dp of -(num/den) = -(2 g den - num 2 p) / den^2, then / K for the class mean.
                    for b in 0..<batch {
                        let base = (b * classes + k) * plane
                        for i in base..<base + plane {
                            let (pv, gv) = (Double(p[i]), Double(g[i]))
                            dp[i] = Float(-(2 * gv * denominator - numerator * 2 * pv) / (denominator * denominator) / Double(classes))
                        }
                    }
                }
            }
        }
        return LossGradient(value: Float(total / Double(classes)), gradient: gradient)
    }

    /// ``dice(probabilities:target:smooth:)`` against class indices `labels [P]`.
    public static func dice(probabilities p: Tensor, labels: [Int32]) -> LossGradient {
        dice(probabilities: p, target: Softmax.oneHot(labels, classes: p.channels, batch: p.batch, height: p.height, width: p.width))
    }

    /// Mean squared error over all elements: L = mean((a - b)^2); dL/da = 2 (a - b) / n = -dL/db.
    public static func meanSquaredError(_ a: Tensor, _ b: Tensor) -> LossGradient {
        precondition(a.shape == b.shape, "meanSquaredError: shapes \(a.shape) and \(b.shape) differ")
        let n = Float(a.count)
        var total = 0.0
        var gradient = Tensor(shape: a.shape)
        for i in 0..<a.count {
            let d = a.scalars[i] - b.scalars[i]
            total += Double(d) * Double(d)
            gradient.scalars[i] = 2 * d / n
        }
        return LossGradient(value: Float(total / Double(a.count)), gradient: gradient)
    }

    /// KL(p || q) per pixel, averaged over the P pixels: L = (1/P) sum p (log p - log q), with
    /// 0 log 0 = 0. `p [B, K, H, W]` are target probabilities; `logQ` log-probabilities (from
    /// ``Softmax/logSoftmax(_:)``). Returns the gradients with respect to log q (-p / P) and
    /// to p ((log p + 1 - log q) / P, p clamped at 1e-10 inside the log).
    public static func klDivergence(target p: Tensor, logQ: Tensor) -> (value: Float, logQ: Tensor, target: Tensor) {
        precondition(p.shape == logQ.shape && p.shape.count == 4, "klDivergence: \(p.shape) vs \(logQ.shape)")
        let pixels = Double(p.batch * p.height * p.width)
        var total = 0.0
        var dlogq = Tensor(shape: p.shape), dp = Tensor(shape: p.shape)
        for i in 0..<p.count {
            let (pv, lq) = (Double(p.scalars[i]), Double(logQ.scalars[i]))
            let lp = log(max(pv, 1e-10))
            if pv > 0 { total += pv * (lp - lq) }
            dlogq.scalars[i] = Float(-pv / pixels)
            dp.scalars[i] = Float((lp + 1 - lq) / pixels)
        }
        return (Float(total / pixels), dlogq, dp)
    }

    /// H(p) = -sum_k p_k log(p_k + eps) at each pixel, averaged over the P pixels, of
    /// `p [B, K, H, W]`; gradient -(log(p + eps) + p / (p + eps)) / P.
    public static func entropy(_ p: Tensor, epsilon: Double = 1e-10) -> LossGradient {
        let pixels = Double(p.batch * p.height * p.width)
        var total = 0.0
        var gradient = Tensor(shape: p.shape)
        for i in 0..<p.count {
            let pv = Double(p.scalars[i])
            total -= pv * log(pv + epsilon)
            gradient.scalars[i] = Float(-(log(pv + epsilon) + pv / (pv + epsilon)) / pixels)
        }
        return LossGradient(value: Float(total / pixels), gradient: gradient)
    }

    /// Jensen-Shannon divergence of n predictions `[B, K, H, W]` (DCT-Seg): per pixel
    /// H(mean_i p_i) - mean_i H(p_i), H(p) = -sum p log(p + 1e-10), averaged over the pixels.
    /// Returns one gradient per prediction.
    public static func jensenShannon(_ predictions: [Tensor]) -> (value: Float, gradients: [Tensor]) {
        precondition(predictions.count >= 2, "jensenShannon: needs at least two predictions")
        let n = Float(predictions.count)
        var mean = predictions[0]
        for p in predictions.dropFirst() { mean = Ops.add(mean, p) }
        mean = Ops.scale(mean, by: 1 / n)
        let mixture = entropy(mean)
        var value = Double(mixture.value)
        var gradients: [Tensor] = []
        for p in predictions {
            let own = entropy(p)
            value -= Double(own.value) / Double(n)
            gradients.append(Ops.zip(mixture.gradient, own.gradient) { ($0 - $1) / n })
        }
        return (Float(value), gradients)
    }

    /// Smoothness of a displacement field `flow [B, 2, H, W]` (voxelmorph's Grad('l2')):
    /// (mean(dy^2) + mean(dx^2)) / 2 with dy, dx the forward differences along y and x.
    public static func flowSmoothness(_ flow: Tensor) -> LossGradient {
        let (planes, h, w) = (flow.batch * flow.channels, flow.height, flow.width)
        let countY = Double(planes * (h - 1) * w), countX = Double(planes * h * (w - 1))
        var sumY = 0.0, sumX = 0.0
        var gradient = Tensor(shape: flow.shape)
        let (scaleY, scaleX) = (countY > 0 ? Float(1 / countY) : 0, countX > 0 ? Float(1 / countX) : 0)
        for p in 0..<planes {
            for y in 0..<h {
                for x in 0..<w {
                    let i = (p * h + y) * w + x
                    if y + 1 < h {
                        let d = flow.scalars[i + w] - flow.scalars[i]
                        sumY += Double(d) * Double(d)
                        // d/d(flow) of (1/2) mean(d^2): d / count, + at i + w, - at i.
                        gradient.scalars[i + w] += d * scaleY
                        gradient.scalars[i] -= d * scaleY
                    }
                    if x + 1 < w {
                        let d = flow.scalars[i + 1] - flow.scalars[i]
                        sumX += Double(d) * Double(d)
                        gradient.scalars[i + 1] += d * scaleX
                        gradient.scalars[i] -= d * scaleX
                    }
                }
            }
        }
        let value = ((countY > 0 ? sumY / countY : 0) + (countX > 0 ? sumX / countX : 0)) / 2
        return LossGradient(value: Float(value), gradient: gradient)
    }

    /// Local normalised cross-correlation loss (voxelmorph's NCC), window `window` x `window`
    /// (9 by default) with zero padding, of `fixed` and `warped` (`[B, 1, H, W]`):
    /// with window sums S of I, J, I^2, J^2, IJ and n = window^2,
    /// cross = S(IJ) - S(I)S(J)/n, varI = S(I^2) - S(I)^2/n, varJ likewise,
    /// cc = cross^2 / (varI varJ + 1e-5), L = -mean(cc). Gradients with respect to both images.
    public static func localNCC(fixed: Tensor, warped: Tensor, window: Int = 9) -> (value: Float, fixed: Tensor, warped: Tensor) {
        precondition(fixed.shape == warped.shape && fixed.shape.count == 4 && fixed.channels == 1,
                     "localNCC: fixed \(fixed.shape) and warped \(warped.shape) must both be [B, 1, H, W]")
        let (h, w, plane) = (fixed.height, fixed.width, fixed.height * fixed.width)
        let n = Double(window * window), radius = window / 2
        let count = Double(fixed.count)
        var total = 0.0
        var dI = Tensor(shape: fixed.shape), dJ = Tensor(shape: fixed.shape)
        for b in 0..<fixed.batch {
            let i = (0..<plane).map { Double(fixed.scalars[b * plane + $0]) }
            let j = (0..<plane).map { Double(warped.scalars[b * plane + $0]) }
            let sI = boxSum(i, h, w, radius), sJ = boxSum(j, h, w, radius)
            let sII = boxSum(zip(i, i).map(*), h, w, radius), sJJ = boxSum(zip(j, j).map(*), h, w, radius)
            let sIJ = boxSum(zip(i, j).map(*), h, w, radius)
            var gSI = [Double](repeating: 0, count: plane), gSJ = gSI, gSII = gSI, gSJJ = gSI, gSIJ = gSI
            for o in 0..<plane {
                let cross = sIJ[o] - sI[o] * sJ[o] / n
                let varI = sII[o] - sI[o] * sI[o] / n, varJ = sJJ[o] - sJ[o] * sJ[o] / n
                let denominator = varI * varJ + 1e-5
                total += cross * cross / denominator
                // d(-cc/count) with respect to cross, varI, varJ, then to the window sums.
                let dCross = -2 * cross / denominator / count
                let dVarI = cross * cross * varJ / (denominator * denominator) / count
                let dVarJ = cross * cross * varI / (denominator * denominator) / count
                gSIJ[o] = dCross
                gSII[o] = dVarI
                gSJJ[o] = dVarJ
                gSI[o] = -dCross * sJ[o] / n - 2 * dVarI * sI[o] / n
                gSJ[o] = -dCross * sI[o] / n - 2 * dVarJ * sJ[o] / n
            }
            // A zero-padded box sum is its own adjoint.
            let (bI, bJ, bII, bJJ, bIJ) = (boxSum(gSI, h, w, radius), boxSum(gSJ, h, w, radius), boxSum(gSII, h, w, radius),
                                           boxSum(gSJJ, h, w, radius), boxSum(gSIJ, h, w, radius))
            for o in 0..<plane {
                dI.scalars[b * plane + o] = Float(bI[o] + 2 * i[o] * bII[o] + j[o] * bIJ[o])
                dJ.scalars[b * plane + o] = Float(bJ[o] + 2 * j[o] * bJJ[o] + i[o] * bIJ[o])
            }
        }
        return (Float(-total / count), dI, dJ)
    }

    /// Sum over the (2r+1) x (2r+1) window centred at each pixel of an h x w plane, zero outside.
    static func boxSum(_ v: [Double], _ h: Int, _ w: Int, _ r: Int) -> [Double] {
        var rows = [Double](repeating: 0, count: h * w)
        for y in 0..<h {
            var prefix = [Double](repeating: 0, count: w + 1)
            for x in 0..<w { prefix[x + 1] = prefix[x] + v[y * w + x] }
            for x in 0..<w { rows[y * w + x] = prefix[min(w, x + r + 1)] - prefix[max(0, x - r)] }
        }
        var out = [Double](repeating: 0, count: h * w)
        for x in 0..<w {
            var prefix = [Double](repeating: 0, count: h + 1)
            for y in 0..<h { prefix[y + 1] = prefix[y] + rows[y * w + x] }
            for y in 0..<h { out[y * w + x] = prefix[min(h, y + r + 1)] - prefix[max(0, y - r)] }
        }
        return out
    }
}
