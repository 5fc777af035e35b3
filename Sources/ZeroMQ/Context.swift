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

/// A libzmq context: owns the I/O threads and every socket made from it.
///
/// libzmq contexts are thread-safe, so a context may be shared between threads; the sockets
/// made from it may not (see ``Socket``). The context is terminated when the last reference
/// to it (each socket keeps one) goes away.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with libzmq's defaults (one I/O thread).
    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError("zmq_ctx_new") }
        self.handle = handle
    }

    deinit {
        // Every socket holds the context, so none is open here and zmq_ctx_term cannot block
        // on lingering sockets; EINTR only means a signal arrived, so retry.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Opens a socket of `type` in this context.
    public func socket(_ type: SocketType) throws -> Socket {
        guard let raw = zmq_socket(handle, type.rawValue) else { throw ZeroMQError("zmq_socket") }
        return Socket(handle: raw, context: self, type: type)
    }
}

/// The socket types the project uses.
public enum SocketType: Sendable {
    /// Routes replies to the peer a message came from; the coordinator's socket.
    case router
    /// Asynchronous request socket; the worker's and the status client's socket.
    case dealer
    /// Exclusive pair; used for socket monitors.
    case pair
    /// Synchronous reply socket; used by the ZAP handler.
    case reply

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .reply: ZMQ_REP
        }
    }
}
