/// Batch normalisation over (B, H, W) for each channel, with an affine scale and shift
/// (PyTorch's BatchNorm2d: eps 1e-5, momentum 0.1, running variance unbiased).
///
///     forward   x [B, C, H, W] -> y [B, C, H, W]
///               train: mean_c, var_c over the batch (biased); running stats updated
///               eval:  running mean and variance
///               xhat = (x - mean_c) / sqrt(var_c + eps),  y = gamma_c * xhat + beta_c
///     backward  dy -> dx, with N = B*H*W:
///               train: dx = gamma invstd / N * (N dy - sum(dy) - xhat * sum(dy * xhat))
///               eval:  dx = gamma invstd dy
///               dgamma += sum(dy * xhat),  dbeta += sum(dy)
///
/// With `activationSlope`, a LeakyReLU follows in the same pass (z = y if y > 0 else slope*y;
/// backward dy = dz or slope*dz by the sign of y, recomputed from xhat): one pass over the
/// activations less each way, and no record of its own.
public final class BatchNorm2d: Module {
    /// C.
    public let channels: Int
    /// Added to the variance before the square root.
    public let epsilon: Float = 1e-5
    /// Weight of the current batch in the running statistics.
    public let momentum: Float = 0.1
    /// `[C]`, initially 1.
    public let gamma: Parameter
    /// `[C]`, initially 0.
    public let beta: Parameter
    /// `[C]`, initially 0.
    public let runningMean: Buffer
    /// `[C]`, initially 1.
    public let runningVariance: Buffer
    /// The slope of the fused LeakyReLU, or nil for none.
    public let activationSlope: Float?
    /// Batch statistics (training) or running statistics (evaluation).
    public private(set) var isTraining = true

    /// What the backward needs. The input rather than xhat: xhat is recomputed from it
    /// exactly, and the forward then writes one tensor instead of two (BatchNorm is memory-bound).
    private struct Record {
        var input: Tensor
        var mean: [Float], inverseStd: [Float]
        var training: Bool
        /// gamma and beta as they were in the forward pass (for the activation's sign).
        var gamma: [Float], beta: [Float]
    }
    private var records: [Record] = []

    /// A BatchNorm over `channels` channels (gamma 1, beta 0, running mean 0, variance 1),
    /// optionally followed by a fused LeakyReLU of slope `activationSlope`.
    public init(name: String, channels: Int, activationSlope: Float? = nil) {
        self.channels = channels
        self.activationSlope = activationSlope
        gamma = Parameter(name: name + ".weight", value: Tensor(shape: [channels], repeating: 1))
        beta = Parameter(name: name + ".bias", value: Tensor(shape: [channels]))
        runningMean = Buffer(name: name + ".running_mean", value: Tensor(shape: [channels]))
        runningVariance = Buffer(name: name + ".running_var", value: Tensor(shape: [channels], repeating: 1))
    }

    public var parameters: [Parameter] { [gamma, beta] }
    public var buffers: [Buffer] { [runningMean, runningVariance] }
    public var counters: [Counter] { [] }
    public func setTraining(_ training: Bool) { isTraining = training }
    public func clearRecords() { records.removeAll() }

    /// `x [B, C, H, W] -> [B, C, H, W]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        precondition(x.shape.count == 4 && x.channels == channels, "BatchNorm2d: input \(x.shape), expected [B, \(channels), H, W]")
        let (batch, plane, channels) = (x.batch, x.height * x.width, self.channels)
        let n = batch * plane
        let training = isTraining
        precondition(!training || n > 1, "BatchNorm2d: training needs more than one value per channel, got input \(x.shape)")
        var mean = runningMean.value.scalars, variance = runningVariance.value.scalars
        let (gammas, betas, epsilon) = (gamma.value.scalars, beta.value.scalars, self.epsilon)
        // Slope 1 is the identity: one branch-free loop serves both cases.
        let slope = activationSlope ?? 1
        // Channels are independent: each is one task (statistics, then its planes), on as
        // many threads as BLAS.threads; raw pointers because tasks write disjoint channels.
        // The output is written in full: no zero fill.
        let y = Tensor(shape: x.shape) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                mean.withUnsafeMutableBufferPointer { means in
                    variance.withUnsafeMutableBufferPointer { variances in
                        let (xp, yp, mp, vp) = (xs.baseAddress!, ys.baseAddress!, means.baseAddress!, variances.baseAddress!)
                        parallelFor(channels) { c in
                            if training {
                                var total = 0.0
                                for b in 0..<batch { total += Double(sum(xp + (b * channels + c) * plane, count: plane)) }
                                let m = Float(total / Double(n))
                                var squares = 0.0
                                for b in 0..<batch {
                                    squares += Double(sumOfSquaredDeviations(xp + (b * channels + c) * plane, count: plane, mean: m))
                                }
                                mp[c] = m
                                vp[c] = Float(squares / Double(n))
                            }
                            let (m, s, g, t) = (mp[c], 1 / (vp[c] + epsilon).squareRoot(), gammas[c], betas[c])
                            for b in 0..<batch {
                                let base = (b * channels + c) * plane
                                var i = base
                                while i + 8 <= base + plane {
                                    let v = g * ((SIMD8(loading: xp + i) - m) * s) + t
                                    v.replacing(with: v * slope, where: v .<= 0).store(to: yp + i)
                                    i += 8
                                }
                                while i < base + plane {
                                    let v = g * ((xp[i] - m) * s) + t
                                    yp[i] = v > 0 ? v : v * slope
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            for c in 0..<channels {
                runningMean.value.scalars[c] = (1 - momentum) * runningMean.value.scalars[c] + momentum * mean[c]
                runningVariance.value.scalars[c] = (1 - momentum) * runningVariance.value.scalars[c]
                    + momentum * variance[c] * Float(n) / Float(n - 1)
            }
        }
        if recording {
            records.append(Record(input: x, mean: mean, inverseStd: variance.map { 1 / ($0 + epsilon).squareRoot() },
                                  training: training, gamma: gammas, beta: betas))
        }
        return y
    }

    /// `dy [B, C, H, W] -> dx [B, C, H, W]`; accumulates the gamma and beta gradients.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let record = records.popLast() else { preconditionFailure("BatchNorm2d.backward without a recorded forward") }
        precondition(dy.shape == record.input.shape, "BatchNorm2d.backward: dy \(dy.shape) for input \(record.input.shape)")
        let (batch, plane, channels) = (dy.batch, dy.height * dy.width, self.channels)
        let n = Float(batch * plane)
        let slope = activationSlope ?? 1
        var sumsDy = [Float](repeating: 0, count: channels), sumsDyXhat = sumsDy
        let dx = Tensor(shape: dy.shape) { dxs in
            dy.scalars.withUnsafeBufferPointer { dys in
                record.input.scalars.withUnsafeBufferPointer { xs in
                    sumsDy.withUnsafeMutableBufferPointer { sd in
                        sumsDyXhat.withUnsafeMutableBufferPointer { sdx in
                            let (dyp, xp, dxp, sdp, sdxp) = (dys.baseAddress!, xs.baseAddress!, dxs.baseAddress!, sd.baseAddress!, sdx.baseAddress!)
                            parallelFor(channels) { c in
                                // xhat = (x - mean) * invstd, as the forward computed it.
                                let (g, t, m, s) = (record.gamma[c], record.beta[c], record.mean[c], record.inverseStd[c])
                                // dx first holds the gradient of y (through the activation, if any).
                                var sumDy = 0.0, sumDyXhat = 0.0
                                for b in 0..<batch {
                                    let base = (b * channels + c) * plane
                                    var (total, dot) = (SIMD8<Float>(), SIMD8<Float>())
                                    var i = base
                                    while i + 8 <= base + plane {
                                        let h = (SIMD8(loading: xp + i) - m) * s, dyi = SIMD8(loading: dyp + i)
                                        let d = dyi.replacing(with: dyi * slope, where: g * h + t .<= 0)
                                        d.store(to: dxp + i)
                                        total += d
                                        dot += d * h
                                        i += 8
                                    }
                                    var (tailTotal, tailDot) = (total.sum(), dot.sum())
                                    while i < base + plane {
                                        let h = (xp[i] - m) * s
                                        dxp[i] = g * h + t > 0 ? dyp[i] : dyp[i] * slope
                                        tailTotal += dxp[i]
                                        tailDot += dxp[i] * h
                                        i += 1
                                    }
                                    sumDy += Double(tailTotal)
                                    sumDyXhat += Double(tailDot)
                                }
                                sdp[c] = Float(sumDy)
                                sdxp[c] = Float(sumDyXhat)
                                let scale = g * s
                                let (meanDy, meanDyXhat) = record.training ? (Float(sumDy) / n, Float(sumDyXhat) / n) : (0, 0)
                                for b in 0..<batch {
                                    let base = (b * channels + c) * plane
                                    var i = base
                                    while i + 8 <= base + plane {
                                        let h = (SIMD8(loading: xp + i) - m) * s
                                        (scale * (SIMD8(loading: dxp + i) - meanDy - h * meanDyXhat)).store(to: dxp + i)
                                        i += 8
                                    }
                                    while i < base + plane {
                                        dxp[i] = scale * (dxp[i] - meanDy - (xp[i] - m) * s * meanDyXhat)
                                        i += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<channels {
            gamma.gradient.scalars[c] += sumsDyXhat[c]
            beta.gradient.scalars[c] += sumsDy[c]
        }
        return dx
    }
}
