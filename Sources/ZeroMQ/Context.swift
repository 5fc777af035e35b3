import CZeroMQ

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
