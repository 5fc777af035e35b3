/// A count of random draws (masks drawn by a Dropout layer), kept in checkpoints so that a
/// resumed run draws the same masks as an uninterrupted one.
public final class Counter {
    /// The dotted path of this counter in its network.
    public let name: String
    /// The current count.
    public var value: Int

    /// A counter with the given name, starting at `value`.
    public init(name: String, value: Int = 0) {
        self.name = name
        self.value = value
    }
}
