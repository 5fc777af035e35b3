/// Non-trainable state of a network that a checkpoint must keep (BatchNorm running statistics).
public final class Buffer {
    /// The dotted path of this buffer in its network.
    public let name: String
    /// The current value.
    public var value: Tensor

    /// A buffer with the given name and initial value.
    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
    }
}
