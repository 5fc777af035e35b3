import Foundation

/// Adam (Kingma & Ba) as PyTorch's torch.optim.Adam: with weight decay wd, g = grad + wd * p;
/// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
public final class Adam: Optimiser {
    public let parameters: [Parameter]
    public var learningRate: Float
    /// Adam's hyperparameters (PyTorch's names and defaults).
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public var stepCount = 0
    private var m: [[Float]], v: [[Float]]

    /// Adam over `parameters` (typically `model.parameters`), moments starting at zero.
    public init(parameters: [Parameter], learningRate: Float = 1e-4, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    public func step() {
        stepCount += 1
        let correction1 = 1 - pow(beta1, Float(stepCount)), correction2 = 1 - pow(beta2, Float(stepCount))
        let (b1, b2, eps, wd, lr) = (beta1, beta2, epsilon, weightDecay, learningRate)
        for (index, parameter) in parameters.enumerated() {
            parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                parameter.gradient.scalars.withUnsafeBufferPointer { grad in
                    m[index].withUnsafeMutableBufferPointer { m in
                        v[index].withUnsafeMutableBufferPointer { v in
                            // Raw pointers and eight lanes: the four arrays may alias as far as the
                            // compiler knows, so the plain loop would not vectorise.
                            // Lanes compute the scalar formula exactly, and blocks are disjoint:
                            // the bits do not depend on the thread count.
                            let (pp, gp, mp, vp) = (p.baseAddress!, grad.baseAddress!, m.baseAddress!, v.baseAddress!)
                            forEachBlock(p.count) { range in
                                var i = range.lowerBound
                                while i + 8 <= range.upperBound {
                                    let x = SIMD8<Float>(loading: pp + i)
                                    let g = SIMD8<Float>(loading: gp + i) + wd * x
                                    let mi = b1 * SIMD8<Float>(loading: mp + i) + (1 - b1) * g
                                    let vi = b2 * SIMD8<Float>(loading: vp + i) + (1 - b2) * g * g
                                    (x - lr * (mi / correction1) / ((vi / correction2).squareRoot() + eps)).store(to: pp + i)
                                    mi.store(to: mp + i)
                                    vi.store(to: vp + i)
                                    i += 8
                                }
                                while i < range.upperBound {
                                    let g = gp[i] + wd * pp[i]
                                    mp[i] = b1 * mp[i] + (1 - b1) * g
                                    vp[i] = b2 * vp[i] + (1 - b2) * g * g
                                    pp[i] -= lr * (mp[i] / correction1) / ((vp[i] / correction2).squareRoot() + eps)
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: [(name: String, value: Tensor)] {
        zip(parameters, m).map { ("m." + $0.name, Tensor(shape: $0.value.shape, scalars: $1)) }
            + zip(parameters, v).map { ("v." + $0.name, Tensor(shape: $0.value.shape, scalars: $1)) }
    }

    public func restore(_ state: [String: Tensor]) throws {
        m = try restoreMoments(state, prefix: "m.", parameters)
        v = try restoreMoments(state, prefix: "v.", parameters)
    }
}
