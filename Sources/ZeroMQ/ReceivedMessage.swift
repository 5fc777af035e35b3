/// One message received from a socket: its frames and the transport metadata libzmq attached.
public struct ReceivedMessage: Sendable {
    /// The frames, in order. A ROUTER socket puts the sender's routing id first.
    public var frames: [[UInt8]]
    /// The file descriptor of the TCP connection the message arrived on, or -1 when the
    /// transport has none (inproc). Socket monitor events name the same descriptor, which is
    /// how a disconnection is tied to a peer.
    public var sourceDescriptor: Int32
    /// The peer's IP address, when the transport knows it.
    public var peerAddress: String?
    /// The user id the ZAP handler returned for the peer, if any.
    public var userID: String?
}
