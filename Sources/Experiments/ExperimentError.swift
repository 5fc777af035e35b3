/// A problem in an experiment file, naming the file, the line and the key at fault.
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
    /// The experiment file.
    public let file: String
    /// The 1-based line of the offending value, when known.
    public let line: Int?
    /// The dotted key path, for example "methods.mt.consistency_max"; "" for the whole file.
    public let key: String
    /// What is wrong.
    public let message: String

    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}
