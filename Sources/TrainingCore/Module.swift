/// A network or layer with named state: trainable parameters, buffers and random-draw
/// counters, each listed in a stable order (the order of construction), and a train/eval mode.
///
/// Forward and backward are not part of this protocol because their signatures differ (the
/// U-Net takes one tensor, an up block two); each type documents its own pair. The contract
/// they share: `forward(x, recording: true)` pushes what the backward pass needs onto the
/// layer's own stack; `backward(dy)` pops the most recent record, accumulates parameter
/// gradients into ``Parameter/gradient`` and returns the gradient of the input. Several
/// recorded forwards may precede their backwards; they are consumed last in, first out.
/// A forward with `recording: false` (a teacher, inference) keeps nothing.
public protocol Module: AnyObject {
    /// Trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
    /// Non-trainable state (BatchNorm running mean and variance), in a stable order.
    var buffers: [Buffer] { get }
    /// Random-draw counters (Dropout), in a stable order.
    var counters: [Counter] { get }
    /// Switches between training (batch statistics, dropout on) and evaluation (running
    /// statistics, dropout off). Applies to every sub-layer.
    func setTraining(_ training: Bool)
    /// Drops every recorded forward pass that no backward consumed.
    func clearRecords()
}

extension Module {
    /// Sets every parameter gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// The total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Copies parameters, buffers and counters from `other`, a module of the same architecture
    /// (matched by position and checked by name and shape).
    public func copyState(from other: any Module) {
        let (mine, theirs) = (parameters, other.parameters)
        precondition(mine.count == theirs.count, "copyState: \(mine.count) parameters vs \(theirs.count)")
        for (a, b) in zip(mine, theirs) {
            precondition(a.name == b.name && a.value.shape == b.value.shape, "copyState: \(a.name) \(a.value.shape) vs \(b.name) \(b.value.shape)")
            a.value = b.value
        }
        for (a, b) in zip(buffers, other.buffers) { a.value = b.value }
        for (a, b) in zip(counters, other.counters) { a.value = b.value }
    }
}

/// Parameters, buffers and counters of a list of sub-modules, concatenated in order.
func collect(_ modules: [any Module]) -> (parameters: [Parameter], buffers: [Buffer], counters: [Counter]) {
    (modules.flatMap(\.parameters), modules.flatMap(\.buffers), modules.flatMap(\.counters))
}
