import Foundation
import XCTest
import ZeroMQ

/// Z85 and CURVE keys, and CURVE with a ZAP handler over real TCP sockets.
final class CurveTests: XCTestCase {
    func testZ85MatchesTheRFCTestVector() {
        // ZeroMQ RFC 32 gives this 8-byte example.
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        XCTAssertEqual(Z85.encode(bytes), "HelloWorld")
        XCTAssertEqual(Z85.decode("HelloWorld"), bytes)
        XCTAssertNil(Z85.encode([1, 2, 3]), "not a multiple of 4 bytes")
        XCTAssertNil(Z85.decode("Hello~orld"), "~ is not in the alphabet")
    }

    func testGeneratedKeysAreConsistentAndDistinct() throws {
        let a = try CurveKeyPair.generate(), b = try CurveKeyPair.generate()
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(Z85.isKey(a.publicKey) && Z85.isKey(a.secretKey))
        XCTAssertEqual(CurveKeyPair.publicKey(forSecret: a.secretKey), a.publicKey)
        XCTAssertNoThrow(try CurveKeyPair(publicKey: a.publicKey, secretKey: a.secretKey))
        XCTAssertThrowsError(try CurveKeyPair(publicKey: b.publicKey, secretKey: a.secretKey))
        XCTAssertThrowsError(try CurveKeyPair(publicKey: "short", secretKey: a.secretKey))
    }

    func testZAPHandlerAdmitsListedKeysAndRefusesUnknownKeysAndPlaintext() throws {
        let server = try CurveKeyPair.generate(), friend = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let context = try Context()
        let seen = Recorder()
        let zap = try ZAPHandler(context: context) { request in
            seen.append(request.curvePublicKey ?? request.mechanism)
            return request.curvePublicKey == friend.publicKey ? .allow(userID: "friend") : .deny(reason: "unknown key")
        }
        defer { zap.stop() }
        let router = try context.socket(.router)
        try router.setLinger(.zero)
        let monitor = try router.monitor()
        try router.makeCurveServer(secretKey: server.secretKey)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint

        func client(_ keys: CurveKeyPair?) throws -> Socket {
            let socket = try context.socket(.dealer)
            try socket.setLinger(.zero)
            if let keys { try socket.makeCurveClient(serverKey: server.publicKey, keys: keys) }
            try socket.connect(endpoint)
            try socket.send([Array("from \(keys == friend ? "friend" : "other")".utf8)])
            return socket
        }
        let clients = [try client(stranger), try client(nil), try client(friend)]

        var texts: [String] = [], users: [String?] = []
        var failures: [MonitorEvent] = []
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline, texts.isEmpty || failures.count < 2 {
            let ready = try poll([.socket(router), .socket(monitor.socket)], timeout: .milliseconds(50))
            if ready[0], let message = try router.receive(wait: false) {
                texts.append(String(decoding: message.frames[1], as: UTF8.self))
                users.append(message.userID)
            }
            if ready[1], let event = try monitor.next(), [.handshakeFailedAuthentication, .handshakeFailedProtocol].contains(event.kind) {
                failures.append(event)
            }
        }
        // Give a refused client's message time to (not) arrive.
        if try poll([.socket(router)], timeout: .milliseconds(200))[0], let message = try router.receive(wait: false) {
            texts.append(String(decoding: message.frames[1], as: UTF8.self))
        }
        XCTAssertEqual(texts, ["from friend"])
        XCTAssertEqual(users, ["friend"])
        XCTAssertTrue(failures.contains { $0.kind == .handshakeFailedAuthentication }, "\(failures)")
        XCTAssertTrue(failures.contains { $0.kind == .handshakeFailedProtocol && $0.isMechanismMismatch }, "\(failures)")
        XCTAssertTrue(seen.values.contains(stranger.publicKey))
        XCTAssertTrue(seen.values.contains(friend.publicKey))
        withExtendedLifetime(clients) {}
    }
}

/// Strings collected from the ZAP handler's thread.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ value: String) { lock.withLock { storage.append(value) } }
    var values: [String] { lock.withLock { storage } }
}
