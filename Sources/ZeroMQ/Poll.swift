import CZeroMQ

/// Something ``poll(_:timeout:)`` can wait on: a socket or a plain file descriptor (a pipe,
/// for example, which lets another thread wake a polling thread).
public enum PollItem {
    /// Readable when the socket has a message queued.
    case socket(Socket)
    /// Readable when the descriptor is.
    case descriptor(Int32)
}

/// Waits until one of `items` is readable or `timeout` passes (nil: wait for ever). Returns
/// one flag per item, true when that item is readable; a signal interrupting the wait returns
/// all false.
public func poll(_ items: [PollItem], timeout: Duration?) throws -> [Bool] {
    var raw = try items.map { item -> zmq_pollitem_t in
        switch item {
        case .socket(let socket):
            guard let handle = socket.handle else { throw ZeroMQError("zmq_poll", code: ENOTSOCK) }
            return zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        case .descriptor(let fd):
            return zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
        }
    }
    let milliseconds = timeout.map { max(0, $0.milliseconds) } ?? -1
    let status = zmq_poll(&raw, Int32(raw.count), Int(milliseconds))
    if status < 0 {
        let error = ZeroMQError("zmq_poll")
        if error.code == EINTR { return Array(repeating: false, count: items.count) }
        throw error
    }
    return raw.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
}
