import Jobs

/// A setting as found in a file: its key, value and line (1-based), for error messages.
public struct LocatedSetting: Sendable {
    public let key: String
    public let value: JSONValue
    public let line: Int?

    public init(key: String, value: JSONValue, line: Int?) {
        self.key = key
        self.value = value
        self.line = line
    }
}
