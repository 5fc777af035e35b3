/// A method thrown at a label it may not read.
public struct LabelFirewallError: Error, CustomStringConvertible {
    /// The method that asked.
    public let method: String
    public var description: String {
        "method \(method) asked for all training masks without the '\(LabelAccess.allTrainingMasks.rawValue)' capability in its registration"
    }
}
