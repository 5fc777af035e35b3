import Foundation
import XCTest
import ZeroMQ

/// Multipart messages, polling and connection events over real TCP sockets on 127.0.0.1.
final class MessagingTests: XCTestCase {
    func testRouterAndDealerExchangeMultipartMessagesWithTheSourceDescriptor() throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.setLinger(.zero)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        XCTAssertFalse(endpoint.hasSuffix("*"), endpoint)

        let dealer = try context.socket(.dealer)
        try dealer.setLinger(.zero)
        try dealer.connect(endpoint)
        try dealer.send([Array("hello".utf8), [], [0, 1, 2]])

        XCTAssertEqual(try poll([.socket(router)], timeout: .seconds(5)), [true])
        let received = try XCTUnwrap(try router.receive(wait: false))
        XCTAssertEqual(received.frames.count, 4, "routing id + 3 frames")
        XCTAssertEqual(received.frames[1], Array("hello".utf8))
        XCTAssertEqual(received.frames[2], [])
        XCTAssertEqual(received.frames[3], [0, 1, 2])
        XCTAssertGreaterThan(received.sourceDescriptor, 2, "a TCP message names its connection")
        XCTAssertEqual(received.peerAddress, "127.0.0.1")

        try router.send([received.frames[0], Array("back".utf8)])
        let reply = try XCTUnwrap(try dealer.receive())
        XCTAssertEqual(reply.frames, [Array("back".utf8)])
    }

    func testReceiveWithoutWaitingReturnsNilAndPollTimesOut() throws {
        let context = try Context()
        let dealer = try context.socket(.dealer)
        try dealer.setLinger(.zero)
        try dealer.bind("tcp://127.0.0.1:*")
        XCTAssertNil(try dealer.receive(wait: false))
        let start = ContinuousClock.now
        XCTAssertEqual(try poll([.socket(dealer)], timeout: .milliseconds(30)), [false])
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(25))
    }

    func testPollWakesOnAPipeDescriptor() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertEqual(try poll([.descriptor(fds[0])], timeout: .zero), [false])
        var byte: UInt8 = 1
        XCTAssertEqual(write(fds[1], &byte, 1), 1)
        XCTAssertEqual(try poll([.descriptor(fds[0])], timeout: .seconds(1)), [true])
    }

    func testRouterMandatoryRefusesUnknownPeers() throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.setLinger(.zero)
        try router.setRouterMandatory(true)
        try router.bind("tcp://127.0.0.1:*")
        XCTAssertThrowsError(try router.send([Array("nobody".utf8), Array("x".utf8)])) { error in
            XCTAssertEqual((error as? ZeroMQError)?.code, EHOSTUNREACH)
        }
    }

    func testMonitorReportsTheDisconnectionOfTheConnectionAMessageCameFrom() throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.setLinger(.zero)
        let monitor = try router.monitor()
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint

        var dealer: Socket? = try context.socket(.dealer)
        try dealer?.setLinger(.zero)
        try dealer?.connect(endpoint)
        try dealer?.send([Array("ping".utf8)])
        XCTAssertEqual(try poll([.socket(router)], timeout: .seconds(5)), [true])
        let descriptor = try XCTUnwrap(try router.receive(wait: false)).sourceDescriptor

        dealer?.close()
        dealer = nil
        var events: [MonitorEvent] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !events.contains(where: { $0.kind == .disconnected }) {
            if let event = try monitor.next(wait: false) { events.append(event) } else { _ = try poll([.socket(monitor.socket)], timeout: .milliseconds(50)) }
        }
        XCTAssertEqual(events.first(where: { $0.kind == .accepted })?.value, UInt32(descriptor))
        XCTAssertEqual(events.first(where: { $0.kind == .disconnected })?.value, UInt32(descriptor))
    }
}
