import Foundation
import ZeroMQ

/// Asks a running coordinator for its ``RunStatus`` (`sparseseg status`).
public enum StatusClient {
    /// Connects to `endpoint`, asks once and waits up to `timeout` for the answer.
    public static func query(_ endpoint: String, security: ClientSecurity = .plaintext, timeout: Duration = .seconds(5)) throws -> RunStatus {
        let context = try Context()
        let socket = try context.socket(.dealer)
        try socket.setLinger(.zero)
        try socket.apply(security)
        try socket.connect(endpoint)
        let codec = WireCodec()
        try socket.send([try codec.encode(.statusRequest)])
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard try poll([.socket(socket)], timeout: deadline - .now)[0], let message = try socket.receive(wait: false) else { continue }
            if message.frames.count == 1, case .status(let status)? = try? codec.decode(message.frames[0]) { return status }
        }
        throw JobError("no status from \(endpoint) within \(timeout) (is the coordinator running, and are the keys right?)")
    }
}
