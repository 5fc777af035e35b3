import Foundation

/// Updates a fixed list of parameters from their accumulated gradients.
///
/// The optimiser's state (moments, step count) is named by parameter name so that a
/// checkpoint can store and restore it (see ``Checkpoint``).
public protocol Optimiser: AnyObject {
    /// The parameters updated by ``step()``, in the order of their module.
    var parameters: [Parameter] { get }
    /// The learning rate of the next step (set it from a schedule before each step).
    var learningRate: Float { get set }
    /// The number of steps taken so far.
    var stepCount: Int { get set }
    /// Applies one update from the current gradients (it does not zero them).
    func step()
    /// Named state tensors (for example `m.<parameter name>`), in a stable order.
    var state: [(name: String, value: Tensor)] { get }
    /// Restores state saved from ``state``; throws if a name or shape does not match.
    func restore(_ state: [String: Tensor]) throws
}

/// An optimiser state that does not fit the parameters it is restored into.
public struct OptimiserStateError: Error, CustomStringConvertible {
    /// What does not fit.
    public let message: String
    public var description: String { message }
}

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

/// SGD with momentum and weight decay as PyTorch's torch.optim.SGD (no dampening, no Nesterov):
/// g = grad + wd * p; buf = momentum * buf + g (buf = g at the first step); p -= lr * buf.
public final class SGD: Optimiser {
    public let parameters: [Parameter]
    public var learningRate: Float
    /// The momentum factor and the L2 weight decay.
    public let momentum: Float, weightDecay: Float
    public var stepCount = 0
    private var velocity: [[Float]]

    /// SGD over `parameters`, momentum buffers starting empty.
    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    }

    public func step() {
        let (mu, wd, lr) = (momentum, weightDecay, learningRate)
        let first = stepCount == 0
        stepCount += 1
        for (index, parameter) in parameters.enumerated() {
            parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                parameter.gradient.scalars.withUnsafeBufferPointer { grad in
                    velocity[index].withUnsafeMutableBufferPointer { buf in
                        for i in p.indices {
                            let g = grad[i] + wd * p[i]
                            buf[i] = first ? g : mu * buf[i] + g
                            p[i] -= lr * buf[i]
                        }
                    }
                }
            }
        }
    }

    public var state: [(name: String, value: Tensor)] {
        zip(parameters, velocity).map { ("momentum." + $0.name, Tensor(shape: $0.value.shape, scalars: $1)) }
    }

    public func restore(_ state: [String: Tensor]) throws {
        velocity = try restoreMoments(state, prefix: "momentum.", parameters)
    }
}

private func restoreMoments(_ state: [String: Tensor], prefix: String, _ parameters: [Parameter]) throws -> [[Float]] {
    try parameters.map { parameter in
        guard let tensor = state[prefix + parameter.name] else {
            throw OptimiserStateError(message: "optimiser state: missing \(prefix + parameter.name)")
        }
        guard tensor.shape == parameter.value.shape else {
            throw OptimiserStateError(message: "optimiser state: \(prefix + parameter.name) has shape \(tensor.shape), parameter \(parameter.value.shape)")
        }
        return tensor.scalars
    }
}

/// The exponential moving average of a student's parameters kept by a teacher (Mean Teacher):
/// theta_t = a theta_t + (1 - a) theta_s with a = min(1 - 1/(it + 1), alpha); parameters only
/// (the teacher's BatchNorm statistics are its own, as in SSL4MIS).
public enum ExponentialMovingAverage {
    /// Updates `teacher` from `student` (same architecture) at global iteration `iteration`
    /// (0 for the first update, which copies the student).
    public static func update(teacher: any Module, student: any Module, alpha: Float = 0.99, iteration: Int) {
        let a = min(1 - 1 / Float(iteration + 1), alpha)
        let (mine, theirs) = (teacher.parameters, student.parameters)
        precondition(mine.count == theirs.count, "EMA: teacher has \(mine.count) parameters, student \(theirs.count)")
        for (t, s) in zip(mine, theirs) {
            precondition(t.name == s.name && t.value.shape == s.value.shape, "EMA: \(t.name) vs \(s.name)")
            t.value.scalars.withUnsafeMutableBufferPointer { tp in
                s.value.scalars.withUnsafeBufferPointer { sp in
                    for i in tp.indices { tp[i] = a * tp[i] + (1 - a) * sp[i] }
                }
            }
        }
    }
}
