/// A training job's bad input or output: the file (or the job or setting) at fault and what
/// is wrong with it.
public struct TrainingError: Error, CustomStringConvertible {
    /// The file at fault, or a parenthesised name of what else is: "(job settings)".
    public let file: String
    /// What is wrong.
    public let message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}
