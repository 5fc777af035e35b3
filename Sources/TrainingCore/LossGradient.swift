/// A scalar loss and its gradient with respect to one input.
public struct LossGradient {
    /// The loss value.
    public var value: Float
    /// d(value)/d(input), the input's shape.
    public var gradient: Tensor
}
