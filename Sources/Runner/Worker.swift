import Foundation
import Jobs
import Logging
import ZeroMQ

/// Settings of a worker.
public struct WorkerConfiguration: Sendable {
    /// The coordinator's endpoint, for example "tcp://head-node:5555".
    public var endpoint: String
    /// Threads each job may use (also reported to the coordinator).
    public var threads = 1
    /// Heartbeat interval and liveness until the coordinator's welcome replaces them.
    public var heartbeatInterval: Duration = .seconds(1)
    /// Silent intervals after which the worker reconnects.
    public var liveness = 3
    /// Encryption and authentication.
    public var security: ClientSecurity = .plaintext
    /// The run directory as mounted on this machine; nil: use the coordinator's path if it
    /// exists here (same machine or the same NFS mount), else ``scratchDirectory``.
    public var runDirectory: URL?
    /// Where jobs run when the run directory is not reachable from this machine.
    public var scratchDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sparseseg-worker")
    /// The longest wait between reconnection attempts (the backoff doubles up to it).
    public var maximumBackoff: Duration = .seconds(32)
    /// Give up after this long without hearing from any coordinator; nil: never.
    public var giveUpAfter: Duration? = .seconds(3600)

    /// Settings with the defaults.
    public init(endpoint: String) { self.endpoint = endpoint }
}

/// Why a worker's ``Worker/run()`` returned.
public enum WorkerExit: Sendable, Equatable {
    /// The coordinator said the run is over.
    case shutdown(String)
    /// ``Worker/stop()`` was called (SIGTERM); the current job was handed back.
    case stopped
    /// No coordinator answered for ``WorkerConfiguration/giveUpAfter``.
    case gaveUp
}

/// A worker: connects to a coordinator, runs one job at a time on a job thread, and streams
/// heartbeats with progress from its own I/O thread, which the job cannot starve. When the
/// coordinator goes silent it reconnects with exponential backoff (the ZeroMQ guide's
/// Paranoid Pirate worker) and reclaims the job it holds.
public final class Worker: Sendable {
    private let configuration: WorkerConfiguration
    private let executors: [any JobExecutor]
    private let logger: Logger
    private let stopFlag = StopFlag()
    private let wake: WakePipe

    /// A worker running jobs with the first of `executors` that handles each job's method.
    public init(configuration: WorkerConfiguration, executors: [any JobExecutor], logger: Logger) throws {
        self.configuration = configuration
        self.executors = executors
        self.logger = logger
        wake = try WakePipe()
    }

    /// Works until the coordinator shuts the run down, ``stop()`` is called or no coordinator
    /// answers for too long.
    public func run() async throws -> WorkerExit {
        let configuration = self.configuration, executors = self.executors, logger = self.logger
        let stopFlag = self.stopFlag, wake = self.wake
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let loop = try WorkerLoop(configuration: configuration, executors: executors, logger: logger, stopFlag: stopFlag, wake: wake)
                    continuation.resume(returning: try loop.run())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "worker-io"
            thread.start()
        }
    }

    /// Abandons the current job (the coordinator requeues it at once, without counting a
    /// failure), says goodbye and makes ``run()`` return. Safe from any thread or a signal
    /// handler's dispatch source.
    public func stop() {
        stopFlag.set()
        wake.signal()
    }
}

/// The worker's job thread, started once and reused for every job (a thread per job would
/// cost more than a short job). Jobs run one at a time, in order.
final class JobThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var finished = false

    init() {
        // The thread holds this object until finish(), then exits after the job in hand.
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while work.isEmpty && !finished { condition.wait() }
                if work.isEmpty {
                    condition.unlock()
                    return
                }
                let next = work.removeFirst()
                condition.unlock()
                next()
            }
        }
        thread.name = "job"
        // Training code may recurse deeply (autodiff over a whole network).
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Lets the thread exit once the queued jobs are done.
    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    /// Queues `job` to run on the job thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            work.append(job)
            condition.signal()
        }
    }
}

/// The outcome of a job, handed from the job thread to the I/O thread.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<JobOutput, any Error>?
    func set(_ outcome: Result<JobOutput, any Error>) { lock.withLock { value = outcome } }
    var outcome: Result<JobOutput, any Error>? { lock.withLock { value } }
}

/// The worker's I/O thread: owns the socket.
private final class WorkerLoop {
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

/// Facts about this build of the runner.
public enum RunnerInfo {
    /// The version workers report in their hello.
    public static let version = "0.1.0"
}
