/// A trainable tensor with its accumulated gradient, named by its dotted path in the network
/// (for example `encoder.0.conv1.weight`), which checkpoints and the EMA teacher key on.
public final class Parameter {
    /// The dotted path of this parameter in its network.
    public let name: String
    /// The current value.
    public var value: Tensor
    /// d(loss)/d(value), accumulated by backward passes until ``zeroGradient()``.
    public var gradient: Tensor

    /// A parameter with the given name and initial value, and a zero gradient.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }

    /// Sets the accumulated gradient to zero.
    public func zeroGradient() {
        gradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
