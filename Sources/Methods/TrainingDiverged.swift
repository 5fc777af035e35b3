/// A step returned a loss that is not finite: training diverged. Caught at the step, so that
/// the error says where, instead of a NaN surfacing later in the loss log's JSON or CSV.
public struct TrainingDiverged: Error, CustomStringConvertible {
    /// The loss's name ("loss", "supervised", ...) and its value.
    public let loss: String
    public let value: Float
    /// The phase, and the 1-based epoch of the phase and step of the epoch.
    public let phase: String
    public let epoch: Int
    public let step: Int
    public var description: String { "training diverged: loss '\(loss)' is \(value) at phase \(phase), epoch \(epoch), step \(step)" }
}
