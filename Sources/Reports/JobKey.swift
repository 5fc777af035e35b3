/// One job of a method, as the table counts it.
public struct JobKey: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The fold.
    public let fold: Int
    /// The training seed.
    public let seed: Int

    /// "fold 1 seed 0".
    public var description: String { "fold \(fold) seed \(seed)" }
}
