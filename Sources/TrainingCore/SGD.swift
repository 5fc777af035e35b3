import Foundation

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
