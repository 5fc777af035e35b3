import CZeroMQ

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
