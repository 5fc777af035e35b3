/// A layer without parameters, buffers, counters or mode (ReLU, pooling): the Module
/// requirements other than ``Module/clearRecords()`` are empty.
public protocol StatelessLayer: Module {}

extension StatelessLayer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Buffer] { [] }
    public var counters: [Counter] { [] }
    public func setTraining(_ training: Bool) {}
}
