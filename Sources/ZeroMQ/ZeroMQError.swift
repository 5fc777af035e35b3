import CZeroMQ

/// An error reported by libzmq: the failing operation and the library's errno and message.
public struct ZeroMQError: Error, CustomStringConvertible, Sendable {
    /// The libzmq call (or wrapper operation) that failed.
    public let operation: String
    /// The errno value libzmq reported.
    public let code: Int32

    /// Captures `zmq_errno()` for `operation`; call it straight after the failing call.
    init(_ operation: String) {
        self.operation = operation
        self.code = zmq_errno()
    }

    init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// Whether the call failed only because it would have blocked (EAGAIN).
    public var wouldBlock: Bool { code == EAGAIN }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))"
    }
}
