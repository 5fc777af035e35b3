import Foundation
@testable import Runner
import ZeroMQ

/// A bare DEALER socket for sending hand-made frames to a coordinator: the fault injector of
/// the cluster tests.
final class RawClient {
    let context: Context
    let socket: Socket

    init(endpoint: String, security: ClientSecurity) throws {
        context = try Context()
        socket = try context.socket(.dealer)
        try socket.setLinger(.zero)
        try socket.apply(security)
        try socket.connect(endpoint)
    }

    func send(_ frame: [UInt8]) throws { try socket.send([frame]) }
    func send(_ frames: [[UInt8]]) throws { try socket.send(frames) }
}
