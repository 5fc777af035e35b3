import AtomicFiles
import Foundation
import Jobs
import Logging
import ZeroMQ

/// The coordinator's thread: owns the sockets, reads each worker's messages and turns them into
/// operations of the state machine (``CoordinatorState``), answers or refuses them, and sends
/// what the state machine decided once it is durable.
final class CoordinatorLoop {
    private let configuration: CoordinatorConfiguration
    private let logger: Logger
    private let onEvent: @Sendable (CoordinatorEvent) -> Void
    private let shared: SharedState
    private let state: CoordinatorState
    private let codec = WireCodec()
    private let context: Context
    private let router: Socket
    private let monitor: SocketMonitor
    private let zap: ZAPHandler?
    /// What waits for the next commit: no worker ever sees a state change that a crash could undo.
    private var outbox: [CoordinatorState.Outgoing] = []

    /// Opens the run directory's journal (see ``CoordinatorState``), then binds the endpoint.
    init(configuration: CoordinatorConfiguration, jobs: [JobSpec], sinks: [any ResultSink], logger: Logger,
         onEvent: @escaping @Sendable (CoordinatorEvent) -> Void, shared: SharedState) throws {
        self.configuration = configuration
        self.logger = logger
        self.onEvent = onEvent
        self.shared = shared
        state = try CoordinatorState(configuration: configuration, jobs: jobs, sinks: sinks, logger: logger, onEvent: onEvent)

        context = try Context()
        if case .curve(_, let authorized) = configuration.security {
            zap = try ZAPHandler(context: context, decide: authorizationPolicy(authorized, logger: logger))
        } else {
            zap = nil
        }
        router = try context.socket(.router)
        try router.setLinger(.milliseconds(500))
        try router.setRouterMandatory(true)
        // libzmq drops connections sending more than this; the codec drops frames over its own
        // smaller limit, so an oversized frame costs at most this much memory.
        try router.setMaximumMessageSize(WireProtocol.maximumFrameBytes * 2)
        if case .curve(let server, _) = configuration.security {
            try router.makeCurveServer(secretKey: server.secretKey)
            try router.setZAPDomain("sparseseg")
        }
        monitor = try router.monitor()
        do { try router.bind(configuration.endpoint) } catch {
            zap?.stop()
            throw JobError("cannot bind \(configuration.endpoint): \(error)")
        }
    }

    deinit { zap?.stop() }

    /// Serves until every job is done or failed, or until the coordinator is stopped.
    func run() throws -> RunSummary {
        let interval = configuration.heartbeatInterval
        let endpoint = try router.lastEndpoint
        logger.info("listening on \(endpoint) (\(zap == nil ? "plaintext" : "CURVE")), run directory \(state.runDirectoryPath)")
        // Only the coordinator holding the journal's lock gets here, so the file is ours to
        // write and to remove; a coordinator killed with SIGKILL leaves it behind, stale.
        let endpointFile = configuration.runDirectory.appendingPathComponent(Coordinator.endpointFileName)
        try AtomicFile.write(Data((endpoint + "\n").utf8), to: endpointFile)
        defer { unlink(endpointFile.path) }
        shared.markBound(endpoint)
        onEvent(.listening(endpoint))
        var nextTick = ContinuousClock.now + interval
        publishStatus(force: true)

        while !shared.isStopped {
            if state.isFinished { break }
            let now = ContinuousClock.now
            let ready = try poll([.socket(router), .socket(monitor.socket), .descriptor(shared.wake.readEnd)],
                                 timeout: max(.zero, nextTick - now))
            if ready[2] { shared.wake.drain() }
            // Events are read before messages and handled after them: libzmq queues a
            // connection's last messages before it reports the disconnection, so a worker's
            // parting words (a result, a hand-back) are heard before it is declared lost.
            var events: [MonitorEvent] = []
            while let event = try monitor.next(wait: false) { events.append(event) }
            // Drain what is queued now, bounded so that ticks are not starved.
            var handled = 0
            while handled < 256 || !events.isEmpty, let message = try router.receive(wait: false) {
                try handle(message)
                handled += 1
            }
            for event in events { try handle(event) }
            if ContinuousClock.now >= nextTick {
                outbox += try state.tick()
                nextTick = ContinuousClock.now + interval
            }
            outbox += try state.schedule()
            try commit()
        }

        let finished = state.isFinished
        if finished {
            shared.markFinishing()
            for id in state.connections { send(.shutdown(Reason("run finished")), to: id) }
            try commit()
            try state.finishRun()
        } else {
            logger.info("stopped; the journal holds every state change, start again on \(state.runDirectoryPath) to resume")
        }
        publishStatus(force: true)
        let summary = state.summary(finished: finished)
        router.close()
        monitor.socket.close()
        zap?.stop()
        return summary
    }

    // MARK: Sending

    /// Makes the state durable, then sends what waited on it. A sink that cannot write (a full
    /// disk) stops the run: the error goes up to ``run()``.
    private func commit() throws {
        try state.commit()
        for (id, message) in outbox { try transmit(message, to: id) }
        outbox.removeAll()
        publishStatus(force: false)
    }

    private func publishStatus(force: Bool) {
        if let status = state.statusToPublish(force: force) { shared.status = status }
    }

    private func send(_ message: WireMessage, to id: [UInt8]) { outbox.append((id, message)) }

    private func transmit(_ message: WireMessage, to id: [UInt8]) throws {
        do {
            guard try router.send([id, try codec.encode(message)], wait: false) else {
                logger.warning("dropped \(message.name) to \(state.workerName(of: id) ?? "a client"): send queue full")
                return
            }
        } catch let error as ZeroMQError where error.code == EHOSTUNREACH {
            try state.lose(id, reason: "unreachable")
        } catch {
            logger.error("sending \(message.name) failed: \(error)")
        }
    }

    // MARK: Messages

    /// Handles one message. A malformed message is logged and dropped; an error of the
    /// coordinator's own (the journal cannot be written) is thrown and stops the run.
    private func handle(_ received: ReceivedMessage) throws {
        guard received.frames.count == 2 else {
            logger.warning("dropped a message of \(received.frames.count - 1) frames from \(received.peerAddress ?? "?"): the protocol sends one")
            return
        }
        let id = received.frames[0]
        let message: WireMessage
        do { message = try codec.decode(received.frames[1]) } catch {
            logger.warning("dropped a frame from \(state.workerName(of: id) ?? received.peerAddress ?? "?"): \(error)")
            return
        }
        try handle(message, from: id, received: received)
    }

    private func handle(_ message: WireMessage, from id: [UInt8], received: ReceivedMessage) throws {
        let now = ContinuousClock.now
        state.heard(from: id, at: now)
        switch message {
        case .hello(let hello):
            if let known = state.key(ofWorker: hello.name), known != received.userID {
                logger.warning("refused a hello as \(hello.name) from \(peer(received)): that worker name belongs to \(known.map { "key \($0)" } ?? "a plaintext connection")")
                return
            }
            try state.join(hello, connection: id, key: received.userID, address: received.peerAddress, descriptor: received.sourceDescriptor, at: now)
            let interval = configuration.heartbeatInterval
            send(.welcome(Welcome(heartbeatMilliseconds: Int((interval / .milliseconds(1)).rounded()), liveness: configuration.liveness)), to: id)
            if let claim = hello.current, let cancel = try state.reclaim(claim, by: id) { send(cancel, to: id) }
        case .heartbeat(let heartbeat):
            guard state.workerName(of: id) != nil else {
                send(.rehello, to: id)
                return
            }
            if let cancel = try state.heartbeat(heartbeat, from: id, at: now) { send(cancel, to: id) }
        case .result(let result):
            guard state.holds(result.claim, connection: id) else {
                logger.warning("refused a result for \(result.claim.job) attempt \(result.claim.attempt) from \(peer(received, id)): that connection does not hold it")
                refuse(result.claim, from: id)
                return
            }
            if let problem = state.problem(with: result) {
                logger.warning("refused the result of \(result.claim.job) attempt \(result.claim.attempt) from \(peer(received, id)): \(problem)")
                try state.reject(result, from: id, problem: problem)
                send(.ack(Ack(claim: result.claim, accepted: false)), to: id)
                return
            }
            let accepted = try state.finish(result, from: id)
            send(.ack(Ack(claim: result.claim, accepted: accepted)), to: id)
            if state.workerName(of: id) == nil { send(.rehello, to: id) }
        case .failure(let failure):
            guard state.holds(failure.claim, connection: id) else {
                logger.warning("refused a failure report for \(failure.claim.job) attempt \(failure.claim.attempt) from \(peer(received, id)): that connection does not hold it")
                refuse(failure.claim, from: id)
                return
            }
            let current = try state.endAttempt(failure, from: id)
            send(.ack(Ack(claim: failure.claim, accepted: current)), to: id)
        case .goodbye:
            try state.lose(id, reason: "said goodbye", counts: false)
        case .statusRequest:
            send(.status(state.status()), to: id)
        case .welcome, .assign, .ack, .cancel, .rehello, .shutdown, .status:
            logger.warning("dropped a \(message.name) message from \(state.workerName(of: id) ?? received.peerAddress ?? "?"): workers do not send it")
        }
    }

    /// Answers a report on `claim` that `id` may not make. A connection that has not said
    /// hello (a worker whose socket reconnected to a restarted coordinator on its own) is asked
    /// to: a real worker then names its claim in the hello and sends its report again, which is
    /// accepted if the claim is its own. A known worker is told the report was not accepted.
    private func refuse(_ claim: JobClaim, from id: [UInt8]) {
        send(state.workerName(of: id) == nil ? .rehello : .ack(Ack(claim: claim, accepted: false)), to: id)
    }

    /// Who sent `received`, for the log: the worker name if the connection said hello, its key
    /// name and its address.
    private func peer(_ received: ReceivedMessage, _ id: [UInt8]? = nil) -> String {
        let name = id.flatMap { state.workerName(of: $0) } ?? "a connection without hello"
        return "\(name) (key \(received.userID ?? "none: plaintext"), address \(received.peerAddress ?? "unknown"))"
    }

    private func handle(_ event: MonitorEvent) throws {
        switch event.kind {
        case .disconnected:
            if let id = state.connection(onDescriptor: Int32(bitPattern: event.value)) { try state.lose(id, reason: "connection closed") }
        case .handshakeFailedProtocol:
            logger.warning(event.isMechanismMismatch
                ? "refused a connection that does not speak CURVE (plaintext peer)"
                : "refused a connection: handshake protocol error \(String(event.value, radix: 16))")
        case .handshakeFailedOther:
            logger.warning("refused a connection: handshake failed (errno \(event.value))")
        default:
            break
        }
    }
}
