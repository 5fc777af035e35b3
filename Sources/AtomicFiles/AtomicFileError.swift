/// A file that could not be written, with its path and the reason.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }
}
