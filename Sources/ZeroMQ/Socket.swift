import CZeroMQ

/// A libzmq socket. Not thread-safe: use a socket on one thread at a time (the project keeps
/// each socket on the thread that made it). Closed on deinit or by ``close()``.
public final class Socket {
    private(set) var handle: UnsafeMutableRawPointer?
    /// The context the socket belongs to; kept alive for as long as the socket.
    public let context: Context
    /// The socket's type.
    public let type: SocketType

    init(handle: UnsafeMutableRawPointer, context: Context, type: SocketType) {
        self.handle = handle
        self.context = context
        self.type = type
    }

    deinit { close() }

    /// Closes the socket; pending outgoing messages are kept for the linger period.
    public func close() {
        if let handle { zmq_close(handle) }
        handle = nil
    }

    func liveHandle(_ operation: String) throws -> UnsafeMutableRawPointer {
        try live(operation)
    }

    private func live(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZeroMQError(operation, code: ENOTSOCK) }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, for example "tcp://127.0.0.1:5555" or "tcp://127.0.0.1:*".
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(try live("zmq_bind"), endpoint) == 0 else { throw ZeroMQError("zmq_bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq connects (and reconnects) in the background.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(try live("zmq_connect"), endpoint) == 0 else { throw ZeroMQError("zmq_connect \(endpoint)") }
    }

    /// The endpoint last bound, with the port filled in when a wildcard port was asked for.
    public var lastEndpoint: String {
        get throws {
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(try live("zmq_getsockopt"), ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZeroMQError("zmq_getsockopt ZMQ_LAST_ENDPOINT")
            }
            return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: Options

    /// Sets an integer socket option (`ZMQ_*` constant).
    public func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(try live("zmq_setsockopt"), option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZeroMQError("zmq_setsockopt \(option)")
        }
    }

    /// Sets a 64-bit integer socket option (for example ZMQ_MAXMSGSIZE).
    public func setOption(_ option: Int32, int64 value: Int64) throws {
        var value = value
        guard zmq_setsockopt(try live("zmq_setsockopt"), option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZeroMQError("zmq_setsockopt \(option)")
        }
    }

    /// Sets a byte-string socket option.
    public func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let handle = try live("zmq_setsockopt")
        let status = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw ZeroMQError("zmq_setsockopt \(option)") }
    }

    /// How long unsent messages are kept after close; 0 drops them at once.
    public func setLinger(_ duration: Duration) throws {
        try setOption(ZMQ_LINGER, Int32(duration.milliseconds))
    }

    /// Messages larger than `bytes` make libzmq drop the connection that sent them.
    public func setMaximumMessageSize(_ bytes: Int) throws {
        try setOption(ZMQ_MAXMSGSIZE, int64: Int64(bytes))
    }

    /// A ROUTER socket fails sends to unknown or vanished peers (EHOSTUNREACH) instead of
    /// dropping them silently.
    public func setRouterMandatory(_ on: Bool) throws {
        try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0)
    }

    /// The interval between reconnection attempts, and its cap for exponential backoff.
    public func setReconnectInterval(_ interval: Duration, maximum: Duration) throws {
        try setOption(ZMQ_RECONNECT_IVL, Int32(interval.milliseconds))
        try setOption(ZMQ_RECONNECT_IVL_MAX, Int32(maximum.milliseconds))
    }

    /// Makes this socket a CURVE server with the given Z85 secret key.
    public func makeCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8))
    }

    /// Makes this socket a CURVE client of the server whose Z85 public key is `serverKey`.
    public func makeCurveClient(serverKey: String, keys: CurveKeyPair) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8))
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(keys.publicKey.utf8))
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.secretKey.utf8))
    }

    /// Sets the ZAP domain, which makes libzmq consult the ZAP handler for this socket.
    public func setZAPDomain(_ domain: String) throws {
        try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8))
    }

    // MARK: Messages

    /// Sends `frames` as one multipart message. Returns false when `wait` is false and the
    /// message could not be queued at once (high-water mark reached).
    @discardableResult
    public func send(_ frames: [[UInt8]], wait: Bool = true) throws -> Bool {
        let handle = try live("zmq_send")
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if !wait { flags |= ZMQ_DONTWAIT }
            while true {
                let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if sent >= 0 { break }
                let error = ZeroMQError("zmq_send")
                if error.code == EINTR { continue }
                // libzmq sends multipart messages atomically: the first frame fails or none does.
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one multipart message; returns nil when `wait` is false and nothing is
    /// queued. A signal interrupting the wait also returns nil.
    public func receive(wait: Bool = true) throws -> ReceivedMessage? {
        let handle = try live("zmq_msg_recv")
        var frames: [[UInt8]] = []
        var message = ReceivedMessage(frames: [], sourceDescriptor: -1)
        var part = zmq_msg_t()
        zmq_msg_init(&part)
        defer { zmq_msg_close(&part) }
        while true {
            let flags: Int32 = (wait || !frames.isEmpty) ? 0 : ZMQ_DONTWAIT
            if zmq_msg_recv(&part, handle, flags) < 0 {
                let error = ZeroMQError("zmq_msg_recv")
                // Later frames of a message are already queued, so only the first can block.
                if frames.isEmpty && (error.wouldBlock || error.code == EINTR) { return nil }
                if error.code == EINTR { continue }
                throw error
            }
            let size = zmq_msg_size(&part)
            if let data = zmq_msg_data(&part), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            // A ROUTER makes the routing-id frame itself, without transport metadata, so the
            // metadata is taken from the first frame that came off the wire.
            if message.sourceDescriptor < 0 {
                message.sourceDescriptor = zmq_msg_get(&part, ZMQ_SRCFD)
                message.peerAddress = zmq_msg_gets(&part, "Peer-Address").map { String(cString: $0) }
                message.userID = zmq_msg_gets(&part, "User-Id").map { String(cString: $0) }
            }
            if zmq_msg_more(&part) == 0 { break }
        }
        message.frames = frames
        return message
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; the unit of libzmq's time options.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
