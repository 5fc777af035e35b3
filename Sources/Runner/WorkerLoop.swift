import Foundation
import Jobs
import Logging
import ZeroMQ

/// The worker's I/O thread: owns the socket.
final class WorkerLoop {
    struct RunningJob {
        var claim: JobClaim
        var context: JobContext
        var outcome: OutcomeBox
        var startedAt: Double
        var cancelled = false
    }

    let configuration: WorkerConfiguration
    let executors: [any JobExecutor]
    let logger: Logger
    let stopFlag: StopFlag
    let wake: WakePipe
    let codec = WireCodec()
    let context: Context
    let jobThread = JobThread()
    let host = ProcessInfo.processInfo.hostName
    let pid = getpid()
    var socket: Socket
    var interval: Duration
    var liveness: Int
    var running: RunningJob?
    /// A result or failure sent but not yet acknowledged; sent again after a reconnection.
    var pending: (claim: JobClaim, message: WireMessage)?

    var name: String { "\(host):\(pid)" }

    deinit { jobThread.finish() }

    init(configuration: WorkerConfiguration, executors: [any JobExecutor], logger: Logger, stopFlag: StopFlag, wake: WakePipe) throws {
        self.configuration = configuration
        self.executors = executors
        self.logger = logger
        self.stopFlag = stopFlag
        self.wake = wake
        interval = configuration.heartbeatInterval
        liveness = configuration.liveness
        context = try Context()
        socket = try WorkerLoop.connect(context, configuration)
    }

    static func connect(_ context: Context, _ configuration: WorkerConfiguration) throws -> Socket {
        let socket = try context.socket(.dealer)
        try socket.setLinger(.seconds(1))
        try socket.setReconnectInterval(.milliseconds(100), maximum: .seconds(1))
        try socket.apply(configuration.security)
        try socket.connect(configuration.endpoint)
        return socket
    }

    func send(_ message: WireMessage) {
        do { _ = try socket.send([try codec.encode(message)], wait: false) } catch {
            logger.warning("sending \(message.name) failed: \(error)")
        }
    }

    func hello() {
        send(.hello(Hello(software: RunnerInfo.version, host: host, pid: pid, threads: configuration.threads,
                          current: running.flatMap { $0.cancelled ? nil : $0.claim } ?? pending?.claim)))
        if let pending { send(pending.message) }
    }

    func run() throws -> WorkerExit {
        logger.info("worker \(name) connecting to \(configuration.endpoint)")
        hello()
        var lastHeard = ContinuousClock.now, lastHeardEver = ContinuousClock.now
        var nextHeartbeat = ContinuousClock.now + interval
        var backoff = interval
        while true {
            if stopFlag.isSet { return abandon() }
            let ready = try poll([.socket(socket), .descriptor(wake.readEnd)], timeout: max(.zero, nextHeartbeat - .now))
            if ready[1] { wake.drain() }
            while let received = try socket.receive(wait: false) {
                lastHeard = .now
                lastHeardEver = lastHeard
                backoff = interval
                guard received.frames.count == 1 else {
                    logger.warning("dropped a message of \(received.frames.count) frames")
                    continue
                }
                let message: WireMessage
                do { message = try codec.decode(received.frames[0]) } catch {
                    logger.warning("dropped a frame from the coordinator: \(error)")
                    continue
                }
                if let exit = handle(message) { return exit }
            }
            finishJobIfDone()
            let now = ContinuousClock.now
            if now >= nextHeartbeat {
                // A finished job whose result awaits its ack is still this worker's.
                let current = running.map(\.claim) ?? pending?.claim
                send(.heartbeat(Heartbeat(current: current, progress: running?.context.progress)))
                nextHeartbeat = now + interval
            }
            if now - lastHeard > interval * liveness {
                if let limit = configuration.giveUpAfter, now - lastHeardEver > limit {
                    logger.error("no coordinator for \(limit); giving up")
                    running?.context.cancel()
                    return .gaveUp
                }
                logger.warning("coordinator silent for \(liveness) heartbeats; reconnecting in \(backoff)")
                socket.setLingerQuietly(.zero)
                socket.close()
                _ = try poll([.descriptor(wake.readEnd)], timeout: backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
                socket = try WorkerLoop.connect(context, configuration)
                hello()
                lastHeard = .now
            }
        }
    }

    /// Handles one message; returns an exit when the worker should stop.
    func handle(_ message: WireMessage) -> WorkerExit? {
        switch message {
        case .welcome(let welcome):
            interval = .milliseconds(max(1, welcome.heartbeatMilliseconds))
            liveness = max(1, welcome.liveness)
        case .heartbeat:
            break
        case .assign(let assignment):
            start(assignment)
        case .ack(let ack):
            if pending?.claim == ack.claim { pending = nil }
            if !ack.accepted { logger.info("coordinator ignored the outcome of \(ack.claim.job) attempt \(ack.claim.attempt)") }
        case .cancel(let cancel):
            if running?.claim == cancel.claim, running?.cancelled == false {
                logger.warning("cancelling \(cancel.claim.job) attempt \(cancel.claim.attempt): \(cancel.reason)")
                running?.cancelled = true
                running?.context.cancel()
            }
            if pending?.claim == cancel.claim { pending = nil }
        case .rehello:
            hello()
        case .shutdown(let reason):
            logger.info("coordinator shut the run down: \(reason.reason)")
            running?.context.cancel()
            return .shutdown(reason.reason)
        case .hello, .result, .failure, .goodbye, .statusRequest, .status:
            logger.warning("dropped a \(message.name) message: coordinators do not send it")
        }
        return nil
    }

    func start(_ assignment: Assignment) {
        let claim = JobClaim(job: assignment.job.id, attempt: assignment.attempt)
        guard running == nil else {
            send(.failure(FailureMessage(claim: claim, reason: "worker busy with \(running!.claim.job)", abandoned: true)))
            return
        }
        let job = assignment.job
        let failure = { (reason: String) in
            let message = WireMessage.failure(FailureMessage(claim: claim, reason: reason, abandoned: false))
            self.pending = (claim, message)
            self.send(message)
        }
        guard JobSpec.isValidID(job.id) else { return failure("invalid job id") }
        guard let executor = executors.first(where: { $0.handles(method: job.method) }) else {
            return failure("worker \(name) has no executor for method \(job.method)")
        }
        let base = runDirectory(for: assignment)
        let directory = base.appendingPathComponent("jobs").appendingPathComponent(job.id)
        do {
            // The worker checks paths too, so that a job never writes outside the run
            // directory as this machine sees it, or the dataset, whatever sent it.
            let roots = [base.path, assignment.runDirectory] + assignment.datasetDirectories
            try SettingsValidator(allowedRoots: roots).validate(job)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return failure("\(error)")
        }
        var jobLogger = logger
        jobLogger[metadataKey: "job"] = "\(job.id)#\(assignment.attempt)"
        let jobContext = JobContext(runDirectory: base, directory: directory, attempt: assignment.attempt, threads: configuration.threads, logger: jobLogger)
        let box = OutcomeBox()
        let wake = self.wake
        running = RunningJob(claim: claim, context: jobContext, outcome: box, startedAt: Date().timeIntervalSince1970)
        jobThread.submit {
            box.set(Result { try executor.run(job, context: jobContext) })
            wake.signal()
        }
    }

    /// The run directory as this machine sees it: the configured one, the coordinator's when
    /// it is reachable here (same machine or shared file system), or local scratch.
    func runDirectory(for assignment: Assignment) -> URL {
        if let configured = configuration.runDirectory { return configured }
        if FileManager.default.isWritableFile(atPath: assignment.runDirectory) { return URL(fileURLWithPath: assignment.runDirectory) }
        return configuration.scratchDirectory
    }

    func finishJobIfDone() {
        guard let job = running, let outcome = job.outcome.outcome else { return }
        running = nil
        guard !job.cancelled else {
            logger.info("cancelled job \(job.claim.job) attempt \(job.claim.attempt) stopped")
            return
        }
        let message: WireMessage
        switch outcome {
        case .success(let output):
            message = .result(ResultMessage(claim: job.claim, output: output, startedAt: job.startedAt, finishedAt: Date().timeIntervalSince1970,
                                            worker: name, host: host))
        case .failure(let error):
            logger.warning("job \(job.claim.job) attempt \(job.claim.attempt) failed: \(error)")
            message = .failure(FailureMessage(claim: job.claim, reason: "\(error)", abandoned: false))
        }
        pending = (job.claim, message)
        send(message)
    }

    func abandon() -> WorkerExit {
        if let job = running {
            job.context.cancel()
            logger.info("stopping: handing \(job.claim.job) attempt \(job.claim.attempt) back to the coordinator")
            send(.failure(FailureMessage(claim: job.claim, reason: "worker stopped", abandoned: true)))
        }
        send(.goodbye)
        return .stopped
    }
}

extension Socket {
    func setLingerQuietly(_ duration: Duration) { try? setLinger(duration) }
}
