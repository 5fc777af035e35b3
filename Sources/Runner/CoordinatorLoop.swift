import AtomicFiles
import Foundation
import Jobs
import Logging
import ZeroMQ

/// The coordinator's thread: owns the sockets, the journal and the job table.
final class CoordinatorLoop {
    struct Session {
        var name: String
        /// The CURVE key name the ZAP handler authorised the connection with (nil: plaintext).
        var key: String?
        /// The peer's IP address, for the log.
        var address: String?
        var threads: Int
        var descriptor: Int32
        var lastSeen: ContinuousClock.Instant
        /// The assignment the coordinator holds this worker to.
        var claim: JobClaim?
        var assignedAt: ContinuousClock.Instant?
        var progress: JobProgress?
        /// A cancelled job the worker is still busy with; no new job until it lets go.
        var busyWith: JobClaim?
        /// The worker handed its job back because it is stopping: give it nothing more.
        var leaving = false
    }

    let configuration: CoordinatorConfiguration
    let sinks: [any ResultSink]
    let logger: Logger
    let onEvent: @Sendable (CoordinatorEvent) -> Void
    let shared: SharedState
    let codec = WireCodec()
    let context: Context
    let router: Socket
    let monitor: SocketMonitor
    let zap: ZAPHandler?
    let journal: Journal
    var scheduler: Scheduler
    var sessions: [[UInt8]: Session] = [:]
    var sessionByDescriptor: [Int32: [UInt8]] = [:]
    var outbox: [([UInt8], WireMessage)] = []
    var newlyCompleted: [CompletedJob] = []
    /// Set when a job failed for good since the last commit: the sinks hear of it after it is durable.
    var failuresChanged = false
    var orphanDeadline: ContinuousClock.Instant?
    var statusDirty = true
    var lastTick = ContinuousClock.now
    /// Claims requeued because their worker was lost, with the worker's name.
    var lostClaims: [JobClaim: String] = [:]
    /// Connections whose worker was declared lost while the connection stayed open (a silent
    /// worker), with the worker's name: its late result may still be its own.
    var lostConnections: [[UInt8]: String] = [:]
    /// The CURVE key each worker name was first seen with: a name belongs to one key.
    var workerKeys: [String: String?] = [:]
    var lastStatusPublish = ContinuousClock.now

    init(configuration: CoordinatorConfiguration, jobs: [JobSpec], sinks: [any ResultSink], logger: Logger,
         onEvent: @escaping @Sendable (CoordinatorEvent) -> Void, shared: SharedState) throws {
        self.configuration = configuration
        self.sinks = sinks
        self.logger = logger
        self.onEvent = onEvent
        self.shared = shared

        let runDirectory = configuration.runDirectory
        try FileManager.default.createDirectory(at: runDirectory.appendingPathComponent("jobs"), withIntermediateDirectories: true)
        let (journal, records) = try Journal.open(at: runDirectory.appendingPathComponent("journal.jsonl"))
        self.journal = journal
        scheduler = Scheduler(maxAttempts: configuration.maxAttempts)
        for record in records { scheduler.apply(record) }
        scheduler.orphanRunning()
        for job in jobs {
            if let existing = scheduler.entry(job.id) {
                guard existing.spec == job else {
                    throw JobError("job \(job.id) differs from the one in \(journal.url.path); use a new run directory for a changed experiment")
                }
            } else {
                let record = JournalRecord.job(job)
                try journal.append(record)
                scheduler.apply(record)
            }
        }
        try journal.sync()
        let orphans = scheduler.allEntries.filter { $0.state == .orphaned }.count
        if !records.isEmpty {
            logger.info("resumed \(journal.url.path): \(scheduler.completed.count) done, \(orphans) were running (awaiting reclaim), \(scheduler.allEntries.filter { $0.state == .queued }.count) queued")
        }
        if orphans > 0 { orphanDeadline = .now + configuration.reclaimGrace }
        for sink in sinks { try sink.begin(completed: scheduler.completed) }
        // The first commit writes the failures already in the journal (none on a fresh run).
        failuresChanged = true

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

    var interval: Duration { configuration.heartbeatInterval }
    var runDirectoryPath: String { configuration.runDirectory.standardizedFileURL.path }

    func run() throws -> RunSummary {
        let endpoint = try router.lastEndpoint
        logger.info("listening on \(endpoint) (\(zap == nil ? "plaintext" : "CURVE")), run directory \(runDirectoryPath)")
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
            if scheduler.isFinished { break }
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
                try tick()
                nextTick = ContinuousClock.now + interval
            }
            try schedule()
            try commit()
        }

        let finished = scheduler.isFinished
        if finished {
            shared.markFinishing()
            for id in sessions.keys { send(.shutdown(Reason("run finished")), to: id) }
            try commit()
            let failed = status().jobs.filter { $0.state == .failed }
            for sink in sinks { try sink.finish(completed: scheduler.completed, failed: failed) }
            logger.info("run finished: \(scheduler.completed.count) done, \(failed.count) failed")
        } else {
            logger.info("stopped; the journal holds every state change, start again on \(runDirectoryPath) to resume")
        }
        publishStatus(force: true)
        let summary = RunSummary(finished: finished, done: scheduler.completed.count, failed: status().jobs.filter { $0.state == .failed })
        router.close()
        monitor.socket.close()
        zap?.stop()
        return summary
    }

    // MARK: Durability

    /// Makes the journal durable, then tells the sinks and sends what waited on it: no worker
    /// or sink ever sees a state change that a crash could undo. A sink that cannot write (a
    /// full disk) stops the run: the error goes up to ``run()``, the journal keeps every state
    /// change, and the run resumes once the cause is fixed.
    func commit() throws {
        try journal.sync()
        for result in newlyCompleted {
            for sink in sinks { try sink.add(result) }
        }
        newlyCompleted.removeAll()
        if failuresChanged {
            for sink in sinks { try sink.failed(failedJobs) }
            failuresChanged = false
        }
        for (id, message) in outbox { try transmit(message, to: id) }
        outbox.removeAll()
        publishStatus(force: false)
    }

    func record(_ record: JournalRecord) throws {
        try journal.append(record)
        let applied = scheduler.apply(record)
        assert(applied, "journal record \(record.kind) must fit the state")
        statusDirty = true
    }

    func send(_ message: WireMessage, to id: [UInt8]) { outbox.append((id, message)) }

    private func transmit(_ message: WireMessage, to id: [UInt8]) throws {
        do {
            guard try router.send([id, try codec.encode(message)], wait: false) else {
                logger.warning("dropped \(message.name) to \(sessions[id]?.name ?? "a client"): send queue full")
                return
            }
        } catch let error as ZeroMQError where error.code == EHOSTUNREACH {
            if sessions[id] != nil { try lose(id, reason: "unreachable") }
        } catch {
            logger.error("sending \(message.name) failed: \(error)")
        }
    }

    // MARK: Messages

    /// Handles one message. A malformed message is logged and dropped; an error of the
    /// coordinator's own (the journal cannot be written) is thrown and stops the run.
    func handle(_ received: ReceivedMessage) throws {
        guard received.frames.count == 2 else {
            logger.warning("dropped a message of \(received.frames.count - 1) frames from \(received.peerAddress ?? "?"): the protocol sends one")
            return
        }
        let id = received.frames[0]
        let message: WireMessage
        do { message = try codec.decode(received.frames[1]) } catch {
            logger.warning("dropped a frame from \(sessions[id]?.name ?? received.peerAddress ?? "?"): \(error)")
            return
        }
        try handle(message, from: id, received: received)
    }

    func handle(_ message: WireMessage, from id: [UInt8], received: ReceivedMessage) throws {
        let now = ContinuousClock.now
        sessions[id]?.lastSeen = now
        switch message {
        case .hello(let hello):
            if let known = workerKeys[hello.name], known != received.userID {
                logger.warning("refused a hello as \(hello.name) from \(peer(received)): that worker name belongs to \(known.map { "key \($0)" } ?? "a plaintext connection")")
                return
            }
            workerKeys[hello.name] = .some(received.userID)
            if let old = sessions[id] { sessionByDescriptor[old.descriptor] = nil }
            lostConnections[id] = nil
            // A worker that reconnects (Paranoid Pirate) comes back on a new connection; its old
            // one is dead, so forget it without requeueing: the hello's claim carries the job over.
            for (other, session) in sessions where other != id && session.name == hello.name {
                sessions[other] = nil
                if sessionByDescriptor[session.descriptor] == other { sessionByDescriptor[session.descriptor] = nil }
                if let claim = session.claim, claim != hello.current, scheduler.entry(claim.job)?.state == .running,
                    scheduler.entry(claim.job)?.attempt == claim.attempt
                {
                    try fail(claim, reason: "worker \(hello.name) reconnected without it", counts: false)
                }
            }
            sessions[id] = Session(name: hello.name, key: received.userID, address: received.peerAddress, threads: hello.threads,
                                   descriptor: received.sourceDescriptor, lastSeen: now)
            if received.sourceDescriptor >= 0 { sessionByDescriptor[received.sourceDescriptor] = id }
            logger.info("worker \(hello.name) joined (\(hello.threads) threads, sparseseg \(hello.software)\(received.userID.map { ", key \($0)" } ?? ""))")
            onEvent(.workerJoined(hello.name))
            send(.welcome(Welcome(heartbeatMilliseconds: Int((interval / .milliseconds(1)).rounded()), liveness: configuration.liveness)), to: id)
            if let claim = hello.current { try reclaim(claim, by: id) }
            statusDirty = true
        case .heartbeat(let heartbeat):
            guard var session = sessions[id] else {
                send(.rehello, to: id)
                return
            }
            if let current = heartbeat.current, current == session.claim {
                session.progress = heartbeat.progress
                statusDirty = true
            } else if heartbeat.current == nil {
                session.busyWith = nil
                if let claim = session.claim, let assignedAt = session.assignedAt, now - assignedAt > interval * configuration.liveness {
                    // The assignment never arrived (it went to a connection the worker had
                    // just given up); the worker is idle, so hand the job out again.
                    sessions[id] = session
                    release(claim)
                    if scheduler.entry(claim.job)?.state == .running, scheduler.entry(claim.job)?.attempt == claim.attempt {
                        try fail(claim, reason: "worker \(session.name) never received it", counts: false)
                    }
                    return
                }
            } else if let current = heartbeat.current, session.claim == nil, current != session.busyWith {
                sessions[id] = session
                try reclaim(current, by: id)
                return
            }
            sessions[id] = session
        case .result(let result):
            guard holds(result.claim, connection: id) else {
                logger.warning("refused a result for \(result.claim.job) attempt \(result.claim.attempt) from \(peer(received, id)): that connection does not hold it")
                refuse(result.claim, from: id)
                return
            }
            lostConnections[id] = nil
            let accepted = scheduler.canFinish(result.claim)
            if accepted, let entry = scheduler.entry(result.claim.job) {
                if let problem = problem(with: result.output, of: entry.spec) {
                    logger.warning("refused the result of \(result.claim.job) attempt \(result.claim.attempt) from \(peer(received, id)): \(problem)")
                    if [.running, .orphaned].contains(entry.state) {
                        try fail(result.claim, reason: "invalid result: \(problem)", counts: true)
                    }
                    release(result.claim)
                    send(.ack(Ack(claim: result.claim, accepted: false)), to: id)
                    return
                }
                let completed = CompletedJob(
                    job: entry.spec.id, attempt: result.claim.attempt, method: entry.spec.method, fold: entry.spec.fold, seed: entry.spec.seed,
                    rows: result.output.rows, artefacts: result.output.artefacts.map { "jobs/\(entry.spec.id)/\($0)" },
                    seconds: result.finishedAt - result.startedAt, startedAt: result.startedAt, finishedAt: result.finishedAt,
                    worker: sessions[id]?.name ?? result.worker, host: result.host)
                try record(.done(completed))
                newlyCompleted.append(completed)
                logger.info("job \(completed.job) attempt \(completed.attempt) done by \(completed.worker) in \(String(format: "%.1f", completed.seconds)) s")
                onEvent(.finished(completed))
            } else {
                logger.warning("ignored a late or duplicate result for \(result.claim.job) attempt \(result.claim.attempt) from \(sessions[id]?.name ?? result.worker)")
            }
            release(result.claim)
            send(.ack(Ack(claim: result.claim, accepted: accepted)), to: id)
            if sessions[id] == nil { send(.rehello, to: id) }
        case .failure(let failure):
            guard holds(failure.claim, connection: id) else {
                logger.warning("refused a failure report for \(failure.claim.job) attempt \(failure.claim.attempt) from \(peer(received, id)): that connection does not hold it")
                refuse(failure.claim, from: id)
                return
            }
            lostConnections[id] = nil
            let current = scheduler.entry(failure.claim.job).map { $0.attempt == failure.claim.attempt && [.running, .orphaned].contains($0.state) } ?? false
            if current {
                try fail(failure.claim, reason: failure.abandoned ? "abandoned by \(sessions[id]?.name ?? "worker"): \(failure.reason)" : failure.reason,
                         counts: !failure.abandoned)
            } else {
                logger.warning("ignored a late failure report for \(failure.claim.job) attempt \(failure.claim.attempt)")
            }
            release(failure.claim)
            if failure.abandoned { sessions[id]?.leaving = true }
            send(.ack(Ack(claim: failure.claim, accepted: current)), to: id)
        case .goodbye:
            if sessions[id] != nil { try lose(id, reason: "said goodbye", counts: false) }
        case .statusRequest:
            send(.status(status()), to: id)
        case .welcome, .assign, .ack, .cancel, .rehello, .shutdown, .status:
            logger.warning("dropped a \(message.name) message from \(sessions[id]?.name ?? received.peerAddress ?? "?"): workers do not send it")
        }
    }

    /// A worker says it runs (or finished) `claim`: take the job back if it is still that
    /// attempt, otherwise tell the worker to drop it.
    func reclaim(_ claim: JobClaim, by id: [UInt8]) throws {
        guard let session = sessions[id] else { return }
        let holder = holder(of: claim)
        if scheduler.canFinish(claim), holder != session.name {
            // Only the worker the attempt was given to may take it back: anyone else naming
            // it (another worker, a forger) is refused and told to drop it.
            logger.warning("refused \(session.name)'s claim on \(claim.job) attempt \(claim.attempt) (\(describe(session))): it was given to \(holder ?? "no worker")")
            sessions[id]?.busyWith = claim
            send(.cancel(Cancel(claim: claim, reason: "the job is not yours")), to: id)
            return
        }
        logger.debug("claim \(claim.job) attempt \(claim.attempt) by \(session.name): job \(String(describing: scheduler.entry(claim.job)?.state)) attempt \(scheduler.entry(claim.job)?.attempt ?? -1)")
        if let holder = sessions.first(where: { $0.value.claim == claim })?.key, holder != id {
            sessions[holder]?.claim = nil  // an old connection of the same worker
        }
        if scheduler.canFinish(claim), session.claim == nil || session.claim == claim {
            if scheduler.entry(claim.job)?.state != .running || scheduler.entry(claim.job)?.worker != session.name {
                // The worker that was declared lost with this job is alive and still has it
                // (it reconnected): withdraw the failure its loss was counted as.
                let forgiven = lostClaims.removeValue(forKey: claim) == session.name
                try record(.adopted(claim, worker: session.name, forgiven: forgiven))
                logger.info("worker \(session.name) reclaimed \(claim.job) attempt \(claim.attempt)")
            }
            sessions[id]?.claim = claim
            sessions[id]?.assignedAt = .now
        } else {
            sessions[id]?.busyWith = claim
            send(.cancel(Cancel(claim: claim, reason: "the job was given to another worker or is finished")), to: id)
        }
    }

    /// The worker that may report on or take back `claim`: the worker it was given to while it
    /// runs (or ran before the coordinator restarted), or the worker that was declared lost with
    /// it, while nobody else has it.
    func holder(of claim: JobClaim) -> String? {
        guard let entry = scheduler.entry(claim.job), entry.attempt == claim.attempt else { return nil }
        switch entry.state {
        case .running, .orphaned: return entry.worker
        case .queued: return lostClaims[claim]
        default: return nil
        }
    }

    /// Whether the connection `id` may report on `claim`: its worker holds it, or it is the
    /// still-open connection of the worker that was declared lost with it.
    func holds(_ claim: JobClaim, connection id: [UInt8]) -> Bool {
        if let session = sessions[id] { return session.claim == claim }
        if let name = lostConnections[id] { return holder(of: claim) == name }
        return false
    }

    /// Answers a report on `claim` that `id` may not make. A connection that has not said
    /// hello (a worker whose socket reconnected to a restarted coordinator on its own) is asked
    /// to: a real worker then names its claim in the hello and sends its report again, which is
    /// accepted if the claim is its own. A known worker is told the report was not accepted.
    func refuse(_ claim: JobClaim, from id: [UInt8]) {
        send(sessions[id] == nil ? .rehello : .ack(Ack(claim: claim, accepted: false)), to: id)
    }

    /// Why `output` cannot be the result of `spec`, or nil: artefacts must be plain relative
    /// paths inside the job's directory, and the run's own check must pass.
    func problem(with output: JobOutput, of spec: JobSpec) -> String? {
        for path in output.artefacts {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.isEmpty || path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                return "artefact path \"\(path.prefix(200))\" is not a plain relative path inside jobs/\(spec.id)/"
            }
        }
        do { try configuration.checkResult?(spec, output) } catch { return "\(error)" }
        return nil
    }

    /// "name (key K, 127.0.0.1)" for the log.
    func describe(_ session: Session) -> String {
        "key \(session.key ?? "none: plaintext"), address \(session.address ?? "unknown")"
    }

    /// Who sent `received`, for the log: the worker name if the connection said hello, its key
    /// name and its address.
    func peer(_ received: ReceivedMessage, _ id: [UInt8]? = nil) -> String {
        let name = id.flatMap { sessions[$0]?.name } ?? "a connection without hello"
        return "\(name) (key \(received.userID ?? "none: plaintext"), address \(received.peerAddress ?? "unknown"))"
    }

    /// Every job given up after its attempts, in scheduling order.
    var failedJobs: [FailedJob] {
        scheduler.allEntries.filter { $0.state == .failed }.map {
            FailedJob(job: $0.spec.id, method: $0.spec.method, fold: $0.spec.fold, seed: $0.spec.seed, reasons: $0.failures)
        }
    }

    /// Frees the session that held `claim`.
    func release(_ claim: JobClaim) {
        for (id, session) in sessions where session.claim == claim {
            sessions[id]?.claim = nil
            sessions[id]?.progress = nil
        }
        statusDirty = true
    }

    func fail(_ claim: JobClaim, reason: String, counts: Bool) throws {
        try record(.attemptFailed(claim, reason: reason, counts: counts))
        let jobFailed = scheduler.entry(claim.job)?.state == .failed
        if jobFailed {
            failuresChanged = true
            logger.error("job \(claim.job) failed after \(scheduler.maxAttempts) attempts: \(scheduler.entry(claim.job)?.failures.joined(separator: "; ") ?? "")")
        } else {
            logger.warning("job \(claim.job) attempt \(claim.attempt) ended without a result (\(reason)); requeued")
        }
        onEvent(.attemptFailed(claim, reason: reason, jobFailed: jobFailed))
    }

    /// The worker behind `id` is gone: forget it and requeue its job. The attempt `counts` as
    /// a failure unless the worker said goodbye; a `silent` worker's connection may still
    /// bring its result, which is then accepted as its own.
    func lose(_ id: [UInt8], reason: String, counts: Bool = true, silent: Bool = false) throws {
        guard let session = sessions.removeValue(forKey: id) else { return }
        if sessionByDescriptor[session.descriptor] == id { sessionByDescriptor[session.descriptor] = nil }
        if silent { lostConnections[id] = session.name }
        logger.warning("worker \(session.name) lost: \(reason)")
        onEvent(.workerLost(session.name, reason: reason))
        if let claim = session.claim, scheduler.entry(claim.job)?.attempt == claim.attempt, scheduler.entry(claim.job)?.state == .running {
            try fail(claim, reason: "worker \(session.name) lost: \(reason)", counts: counts)
            if counts { lostClaims[claim] = session.name }
        }
        statusDirty = true
    }

    func handle(_ event: MonitorEvent) throws {
        switch event.kind {
        case .disconnected:
            if let id = sessionByDescriptor[Int32(bitPattern: event.value)] { try lose(id, reason: "connection closed") }
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

    // MARK: Time and scheduling

    func tick() throws {
        let now = ContinuousClock.now
        let silence = interval * configuration.liveness
        if now - lastTick > silence {
            // The coordinator itself stalled (SIGSTOP, a suspended machine): the workers' silence
            // is its own, so give every worker a fresh window instead of declaring it lost.
            logger.warning("the coordinator was paused for \(now - lastTick); not counting that against the workers")
            for id in sessions.keys { sessions[id]?.lastSeen = now }
        }
        lastTick = now
        for (id, session) in sessions {
            if now - session.lastSeen > silence {
                try lose(id, reason: "silent for \(configuration.liveness) heartbeat intervals", silent: true)
            } else {
                send(.heartbeat(Heartbeat()), to: id)
            }
        }
        if let deadline = orphanDeadline, now >= deadline {
            orphanDeadline = nil
            for entry in scheduler.allEntries where entry.state == .orphaned {
                try fail(JobClaim(job: entry.spec.id, attempt: entry.attempt), reason: "running when the coordinator stopped; not reclaimed", counts: false)
            }
        }
    }

    /// Gives each idle worker the most expensive queued job.
    func schedule() throws {
        let idle = sessions.filter { $0.value.claim == nil && $0.value.busyWith == nil && !$0.value.leaving }.sorted { $0.value.name < $1.value.name }
        for (id, session) in idle {
            guard let spec = scheduler.nextQueued(), let entry = scheduler.entry(spec.id) else { return }
            let claim = JobClaim(job: spec.id, attempt: entry.attempt + 1)
            try record(.assigned(claim, worker: session.name))
            sessions[id]?.claim = claim
            sessions[id]?.assignedAt = .now
            sessions[id]?.progress = nil
            send(.assign(Assignment(job: spec, attempt: claim.attempt, runDirectory: runDirectoryPath,
                                    datasetDirectories: configuration.allowedPathRoots)), to: id)
            logger.debug("assigned \(spec.id) attempt \(claim.attempt) to \(session.name)")
            onEvent(.assigned(claim, worker: session.name))
        }
    }

    // MARK: Status

    func status() -> RunStatus {
        let now = ContinuousClock.now
        var progressByJob: [String: (JobProgress?, ContinuousClock.Instant?)] = [:]
        for session in sessions.values { if let claim = session.claim { progressByJob[claim.job] = (session.progress, session.assignedAt) } }
        let jobs = scheduler.allEntries.map { entry in
            let live = entry.state == .running ? progressByJob[entry.spec.id] : nil
            return JobStatus(id: entry.spec.id, method: entry.spec.method, fold: entry.spec.fold, state: entry.state, attempt: entry.attempt,
                             worker: entry.state == .running ? entry.worker : entry.result?.worker, progress: live?.0 ?? nil,
                             failures: entry.failures, runningSeconds: (live?.1).map { (now - $0) / .seconds(1) })
        }
        let workers = sessions.values.map { WorkerStatus(name: $0.name, threads: $0.threads, job: $0.claim?.job) }.sorted { $0.name < $1.name }
        return RunStatus(jobs: jobs, workers: workers)
    }

    func publishStatus(force: Bool) {
        // Building the status costs time in proportion to the jobs; four times a second is
        // enough for a live view and keeps big runs (the benchmark's thousands of jobs) fast.
        guard force || (statusDirty && ContinuousClock.now - lastStatusPublish > .milliseconds(250)) else { return }
        shared.status = status()
        statusDirty = false
        lastStatusPublish = .now
    }
}
