import Foundation
import Jobs
import Logging

/// The coordinator's state machine: the job table, which worker holds which job, and the
/// journal and sinks that make each change durable. It does no socket I/O: an operation
/// returns what it wants sent, and ``CoordinatorLoop`` transmits that after ``commit()``.
/// Connections are named by the ROUTER's identity frames, opaque here.
final class CoordinatorState {
    /// A message for one connection.
    typealias Outgoing = (to: [UInt8], message: WireMessage)

    /// One worker on one connection, from its hello until it is lost or comes back on another.
    private struct Session {
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

    private let configuration: CoordinatorConfiguration
    private let sinks: [any ResultSink]
    private let logger: Logger
    private let onEvent: @Sendable (CoordinatorEvent) -> Void
    private let journal: Journal
    private var scheduler: Scheduler
    private var sessions: [[UInt8]: Session] = [:]
    private var sessionByDescriptor: [Int32: [UInt8]] = [:]
    private var newlyCompleted: [CompletedJob] = []
    /// Set when a job failed for good since the last commit: the sinks hear of it after it is durable.
    private var failuresChanged = false
    private var orphanDeadline: ContinuousClock.Instant?
    private var statusDirty = true
    private var lastTick = ContinuousClock.now
    /// Claims requeued because their worker was lost, with the worker's name.
    private var lostClaims: [JobClaim: String] = [:]
    /// Connections whose worker was declared lost while the connection stayed open (a silent
    /// worker), with the worker's name: its late result may still be its own.
    private var lostConnections: [[UInt8]: String] = [:]
    /// The CURVE key each worker name was first seen with: a name belongs to one key.
    private var workerKeys: [String: String?] = [:]
    private var lastStatusPublish = ContinuousClock.now

    /// Opens the run directory's journal (taking its lock), replays it, adds the jobs it does not
    /// hold yet and tells the sinks what is already done. Throws if a job differs from the one
    /// the journal holds under its id.
    init(configuration: CoordinatorConfiguration, jobs: [JobSpec], sinks: [any ResultSink], logger: Logger,
         onEvent: @escaping @Sendable (CoordinatorEvent) -> Void) throws {
        self.configuration = configuration
        self.sinks = sinks
        self.logger = logger
        self.onEvent = onEvent

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
    }

    private var interval: Duration { configuration.heartbeatInterval }

    // MARK: Queries

    /// The run directory as workers are told it.
    var runDirectoryPath: String { configuration.runDirectory.standardizedFileURL.path }

    /// Whether every job is done or failed.
    var isFinished: Bool { scheduler.isFinished }

    /// Every connection with a worker session.
    var connections: [[UInt8]] { Array(sessions.keys) }

    /// The name of the worker on connection `id`, or nil if it has not said hello (or was lost).
    func workerName(of id: [UInt8]) -> String? { sessions[id]?.name }

    /// The connection of the worker session opened on socket `descriptor`.
    func connection(onDescriptor descriptor: Int32) -> [UInt8]? { sessionByDescriptor[descriptor] }

    /// The CURVE key name worker `name` was first seen with (nil inside: plaintext), or nil for
    /// a name never seen.
    func key(ofWorker name: String) -> String?? { workerKeys[name] }

    // MARK: Sessions and claims

    /// Anything from connection `id` shows that its worker is alive.
    func heard(from id: [UInt8], at now: ContinuousClock.Instant) {
        sessions[id]?.lastSeen = now
    }

    /// Opens a session for worker `hello.name` on connection `id`, replacing any older
    /// connection of the same worker. The caller checked that the name belongs to `key`.
    func join(_ hello: Hello, connection id: [UInt8], key: String?, address: String?, descriptor: Int32,
              at now: ContinuousClock.Instant) throws {
        workerKeys[hello.name] = .some(key)
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
        sessions[id] = Session(name: hello.name, key: key, address: address, threads: hello.threads, descriptor: descriptor, lastSeen: now)
        if descriptor >= 0 { sessionByDescriptor[descriptor] = id }
        logger.info("worker \(hello.name) joined (\(hello.threads) threads, sparseseg \(hello.software)\(key.map { ", key \($0)" } ?? ""))")
        onEvent(.workerJoined(hello.name))
        statusDirty = true
    }

    /// A heartbeat from the worker on connection `id`, which has a session: its progress, or
    /// that it is idle, or that it still runs a job. Returns a cancel for that connection when
    /// the job it runs is not its own.
    func heartbeat(_ heartbeat: Heartbeat, from id: [UInt8], at now: ContinuousClock.Instant) throws -> WireMessage? {
        guard var session = sessions[id] else { return nil }
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
                return nil
            }
        } else if let current = heartbeat.current, session.claim == nil, current != session.busyWith {
            sessions[id] = session
            return try reclaim(current, by: id)
        }
        sessions[id] = session
        return nil
    }

    /// A worker says it runs (or finished) `claim`: take the job back if it is still that
    /// attempt. Otherwise returns a cancel for connection `id`, telling the worker to drop it.
    func reclaim(_ claim: JobClaim, by id: [UInt8]) throws -> WireMessage? {
        guard let session = sessions[id] else { return nil }
        let holder = holder(of: claim)
        if scheduler.canFinish(claim), holder != session.name {
            // Only the worker the attempt was given to may take it back: anyone else naming
            // it (another worker, a forger) is refused and told to drop it.
            logger.warning("refused \(session.name)'s claim on \(claim.job) attempt \(claim.attempt) (\(describe(session))): it was given to \(holder ?? "no worker")")
            sessions[id]?.busyWith = claim
            return .cancel(Cancel(claim: claim, reason: "the job is not yours"))
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
            return nil
        } else {
            sessions[id]?.busyWith = claim
            return .cancel(Cancel(claim: claim, reason: "the job was given to another worker or is finished"))
        }
    }

    /// The worker that may report on or take back `claim`: the worker it was given to while it
    /// runs (or ran before the coordinator restarted), or the worker that was declared lost with
    /// it, while nobody else has it.
    private func holder(of claim: JobClaim) -> String? {
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

    /// Why `result` cannot be accepted although its attempt may still finish, or nil: artefacts
    /// must be plain relative paths inside the job's directory, and the run's own check must pass.
    func problem(with result: ResultMessage) -> String? {
        guard scheduler.canFinish(result.claim), let spec = scheduler.entry(result.claim.job)?.spec else { return nil }
        for path in result.output.artefacts {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.isEmpty || path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                return "artefact path \"\(path.prefix(200))\" is not a plain relative path inside jobs/\(spec.id)/"
            }
        }
        do { try configuration.checkResult?(spec, result.output) } catch { return "\(error)" }
        return nil
    }

    /// Turns down `result`, held by connection `id`, for its `problem`: the attempt fails and
    /// counts if it still runs.
    func reject(_ result: ResultMessage, from id: [UInt8], problem: String) throws {
        lostConnections[id] = nil
        if let entry = scheduler.entry(result.claim.job), [.running, .orphaned].contains(entry.state) {
            try fail(result.claim, reason: "invalid result: \(problem)", counts: true)
        }
        release(result.claim)
    }

    /// Records `result`, held by connection `id`, if its attempt may still finish. Returns
    /// whether it was accepted; a late or duplicate result is ignored.
    func finish(_ result: ResultMessage, from id: [UInt8]) throws -> Bool {
        lostConnections[id] = nil
        let accepted = scheduler.canFinish(result.claim)
        if accepted, let entry = scheduler.entry(result.claim.job) {
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
        return accepted
    }

    /// Ends the attempt `failure` names, held by connection `id`, if it is still current; a
    /// worker that abandoned its job is stopping and gets nothing more. Returns whether the
    /// attempt was current.
    func endAttempt(_ failure: FailureMessage, from id: [UInt8]) throws -> Bool {
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
        return current
    }

    /// "key K, address A" for the log.
    private func describe(_ session: Session) -> String {
        "key \(session.key ?? "none: plaintext"), address \(session.address ?? "unknown")"
    }

    /// Frees the session that held `claim`.
    private func release(_ claim: JobClaim) {
        for (id, session) in sessions where session.claim == claim {
            sessions[id]?.claim = nil
            sessions[id]?.progress = nil
        }
        statusDirty = true
    }

    private func fail(_ claim: JobClaim, reason: String, counts: Bool) throws {
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

    // MARK: Time and scheduling

    /// Declares lost the workers silent for too long and returns a heartbeat for each other
    /// one; requeues the jobs nobody reclaimed within the grace after a restart.
    func tick() throws -> [Outgoing] {
        let now = ContinuousClock.now
        let silence = interval * configuration.liveness
        if now - lastTick > silence {
            // The coordinator itself stalled (SIGSTOP, a suspended machine): the workers' silence
            // is its own, so give every worker a fresh window instead of declaring it lost.
            logger.warning("the coordinator was paused for \(now - lastTick); not counting that against the workers")
            for id in sessions.keys { sessions[id]?.lastSeen = now }
        }
        lastTick = now
        var heartbeats: [Outgoing] = []
        for (id, session) in sessions {
            if now - session.lastSeen > silence {
                try lose(id, reason: "silent for \(configuration.liveness) heartbeat intervals", silent: true)
            } else {
                heartbeats.append((id, .heartbeat(Heartbeat())))
            }
        }
        if let deadline = orphanDeadline, now >= deadline {
            orphanDeadline = nil
            for entry in scheduler.allEntries where entry.state == .orphaned {
                try fail(JobClaim(job: entry.spec.id, attempt: entry.attempt), reason: "running when the coordinator stopped; not reclaimed", counts: false)
            }
        }
        return heartbeats
    }

    /// Gives each idle worker the most expensive queued job; returns the assignments.
    func schedule() throws -> [Outgoing] {
        var assignments: [Outgoing] = []
        let idle = sessions.filter { $0.value.claim == nil && $0.value.busyWith == nil && !$0.value.leaving }.sorted { $0.value.name < $1.value.name }
        for (id, session) in idle {
            guard let spec = scheduler.nextQueued(), let entry = scheduler.entry(spec.id) else { break }
            let claim = JobClaim(job: spec.id, attempt: entry.attempt + 1)
            try record(.assigned(claim, worker: session.name))
            sessions[id]?.claim = claim
            sessions[id]?.assignedAt = .now
            sessions[id]?.progress = nil
            assignments.append((id, .assign(Assignment(job: spec, attempt: claim.attempt, runDirectory: runDirectoryPath,
                                                       datasetDirectories: configuration.allowedPathRoots))))
            logger.debug("assigned \(spec.id) attempt \(claim.attempt) to \(session.name)")
            onEvent(.assigned(claim, worker: session.name))
        }
        return assignments
    }

    // MARK: Durability

    /// Makes the journal durable, then tells the sinks. A sink that cannot write (a full disk)
    /// throws: the journal keeps every state change, and the run resumes once the cause is fixed.
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
    }

    private func record(_ record: JournalRecord) throws {
        try journal.append(record)
        let applied = scheduler.apply(record)
        assert(applied, "journal record \(record.kind) must fit the state")
        statusDirty = true
    }

    /// Every job given up after its attempts, in scheduling order.
    private var failedJobs: [FailedJob] {
        scheduler.allEntries.filter { $0.state == .failed }.map {
            FailedJob(job: $0.spec.id, method: $0.spec.method, fold: $0.spec.fold, seed: $0.spec.seed, reasons: $0.failures)
        }
    }

    /// Tells the sinks the run is over; call once every job is done or failed and committed.
    func finishRun() throws {
        let failed = status().jobs.filter { $0.state == .failed }
        for sink in sinks { try sink.finish(completed: scheduler.completed, failed: failed) }
        logger.info("run finished: \(scheduler.completed.count) done, \(failed.count) failed")
    }

    /// How the run ended: `finished` says whether every job is done or failed.
    func summary(finished: Bool) -> RunSummary {
        RunSummary(finished: finished, done: scheduler.completed.count, failed: status().jobs.filter { $0.state == .failed })
    }

    // MARK: Status

    /// Every job and where it stands, with the live progress of the running ones, and every
    /// worker with a session.
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

    /// The status to publish to other threads, or nil when nothing changed since the last one
    /// or it was published less than 250 ms ago (unless `force`).
    func statusToPublish(force: Bool) -> RunStatus? {
        // Building the status costs time in proportion to the jobs; four times a second is
        // enough for a live view and keeps big runs (the benchmark's thousands of jobs) fast.
        guard force || (statusDirty && ContinuousClock.now - lastStatusPublish > .milliseconds(250)) else { return nil }
        let status = status()
        statusDirty = false
        lastStatusPublish = .now
        return status
    }
}
