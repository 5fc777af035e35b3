import CZeroMQ
import Foundation

/// One authentication request from libzmq to the ZAP handler (ZAP protocol version 1.0,
/// ZeroMQ RFC 27).
public struct ZAPRequest: Sendable {
    /// The ZAP domain of the socket being connected to.
    public let domain: String
    /// The peer's IP address.
    public let address: String
    /// The security mechanism the peer uses: "NULL", "PLAIN" or "CURVE".
    public let mechanism: String
    /// For CURVE, the peer's public key in Z85; nil for other mechanisms.
    public let curvePublicKey: String?
}

/// The handler's answer to a ``ZAPRequest``.
public enum ZAPDecision: Sendable, Equatable {
    /// Let the peer in; `userID` is attached to its messages (``ReceivedMessage/userID``).
    case allow(userID: String)
    /// Refuse the peer; libzmq closes the connection after the handshake fails.
    case deny(reason: String)
}

/// A ZAP handler: a thread serving libzmq's authentication requests on
/// inproc://zeromq.zap.01 for every socket of one context, answering each with `decide`.
///
/// Start it before binding the sockets it guards: libzmq refuses CURVE peers while no handler
/// is bound only if ZAP is enforced, so an early connection could otherwise slip through.
public final class ZAPHandler: Sendable {
    private let stopFlag = StopFlag()
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the ZAP endpoint of `context` and starts serving. `decide` runs on the
    /// handler's thread, once per connection attempt.
    public init(context: Context, decide: @escaping @Sendable (ZAPRequest) -> ZAPDecision) throws {
        let socket = try context.socket(.reply)
        try socket.setLinger(.zero)
        try socket.bind("inproc://zeromq.zap.01")
        let transfer = UncheckedBox(socket)
        let stopFlag = self.stopFlag, finished = self.finished
        let thread = Thread {
            let socket = transfer.value
            defer {
                socket.close()
                finished.signal()
            }
            while !stopFlag.isSet {
                guard let ready = try? poll([.socket(socket)], timeout: .milliseconds(50)), ready[0] else { continue }
                guard let message = try? socket.receive(wait: false) else { continue }
                let reply = ZAPHandler.reply(to: message.frames, decide: decide)
                _ = try? socket.send(reply)
            }
        }
        thread.name = "zap-handler"
        thread.start()
    }

    /// Stops serving and waits for the handler's thread to close its socket.
    public func stop() {
        guard !stopFlag.isSet else { return }
        stopFlag.set()
        finished.wait()
    }

    /// The reply frames for one request: version, request id, status code, status text,
    /// user id and (empty) metadata.
    static func reply(to frames: [[UInt8]], decide: (ZAPRequest) -> ZAPDecision) -> [[UInt8]] {
        let version = Array("1.0".utf8)
        guard frames.count >= 6, frames[0] == version else {
            // A malformed request still needs a reply, or the REP socket stalls.
            let requestID = frames.count > 1 ? frames[1] : []
            return [version, requestID, Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let text = { (index: Int) in String(decoding: frames[index], as: UTF8.self) }
        let mechanism = text(5)
        let key: String? = (mechanism == "CURVE" && frames.count >= 7 && frames[6].count == 32) ? Z85.encode(frames[6]) : nil
        let request = ZAPRequest(domain: text(2), address: text(3), mechanism: mechanism, curvePublicKey: key)
        switch decide(request) {
        case .allow(let userID):
            return [version, frames[1], Array("200".utf8), Array("OK".utf8), Array(userID.utf8), []]
        case .deny(let reason):
            return [version, frames[1], Array("400".utf8), Array(reason.utf8), [], []]
        }
    }
}

/// A flag one thread sets and others read.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// A flag that is not set.
    public init() {}

    /// Whether the flag has been set.
    public var isSet: Bool { lock.withLock { value } }

    /// Sets the flag.
    public func set() { lock.withLock { value = true } }
}

/// Moves a non-Sendable value to the thread that will own it from then on; the sender must
/// not touch it afterwards.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
