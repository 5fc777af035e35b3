import CZeroMQ

/// One event from a socket monitor (libzmq's version 1 monitor format).
public struct MonitorEvent: Sendable, Equatable {
    /// What happened.
    public let kind: Kind
    /// The event's value: the connection's file descriptor for connection events (the same
    /// descriptor ``ReceivedMessage/sourceDescriptor`` reports), an errno or protocol error
    /// code for failures.
    public let value: UInt32
    /// The endpoint the event concerns, as libzmq names it.
    public let endpoint: String

    /// The monitor events the project distinguishes; the others are `other`.
    public enum Kind: Sendable, Equatable {
        case connected, accepted, closed, disconnected, handshakeSucceeded
        /// The peer spoke another security mechanism (for example plaintext to a CURVE server)
        /// or broke the protocol.
        case handshakeFailedProtocol
        /// The ZAP handler refused the peer.
        case handshakeFailedAuthentication
        case handshakeFailedOther
        case monitorStopped
        case other(UInt16)

        init(code: UInt16) {
            switch Int32(code) {
            case ZMQ_EVENT_CONNECTED: self = .connected
            case ZMQ_EVENT_ACCEPTED: self = .accepted
            case ZMQ_EVENT_CLOSED: self = .closed
            case ZMQ_EVENT_DISCONNECTED: self = .disconnected
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .handshakeSucceeded
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: self = .handshakeFailedProtocol
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .handshakeFailedAuthentication
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: self = .handshakeFailedOther
            case ZMQ_EVENT_MONITOR_STOPPED: self = .monitorStopped
            default: self = .other(code)
            }
        }
    }

    /// Whether `value` is a ZMTP mechanism mismatch, the error a plaintext peer of a CURVE
    /// server produces.
    public var isMechanismMismatch: Bool { value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) }
}

/// The receiving end of a socket monitor: a PAIR socket on which libzmq publishes the
/// monitored socket's connection events. Like any socket it belongs to one thread.
public final class SocketMonitor {
    /// The PAIR socket; poll it with ``PollItem/socket(_:)``.
    public let socket: Socket

    init(socket: Socket) { self.socket = socket }

    /// The next event, or nil when `wait` is false and none is queued. Malformed monitor
    /// messages (which libzmq does not send) are skipped.
    public func next(wait: Bool = false) throws -> MonitorEvent? {
        while let message = try socket.receive(wait: wait) {
            guard message.frames.count == 2, message.frames[0].count == 6 else { continue }
            let header = message.frames[0]
            // libzmq writes the event code and value in host byte order.
            let code = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
            let value = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
            return MonitorEvent(kind: .init(code: code), value: value, endpoint: String(decoding: message.frames[1], as: UTF8.self))
        }
        return nil
    }
}

extension Socket {
    /// Starts monitoring this socket's connection events and returns the receiving end.
    /// Call it before bind or connect so that no event is missed.
    public func monitor() throws -> SocketMonitor {
        let handle = try liveHandle("zmq_socket_monitor")
        // The socket's address makes the inproc name unique within the context.
        let endpoint = "inproc://sparseseg-monitor-\(UInt(bitPattern: handle))"
        guard zmq_socket_monitor(handle, endpoint, ZMQ_EVENT_ALL) == 0 else {
            throw ZeroMQError("zmq_socket_monitor")
        }
        let pair = try context.socket(.pair)
        try pair.setLinger(.zero)
        try pair.connect(endpoint)
        return SocketMonitor(socket: pair)
    }
}
