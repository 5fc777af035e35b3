import Jobs

/// The run's job table: which jobs are queued, running, done or failed, and which queued job
/// goes next (longest expected cost first). Pure state, no I/O: the coordinator changes it
/// only by applying the same ``JournalRecord``s it writes to the journal, so replaying the
/// journal rebuilds exactly the state the coordinator had.
public struct Scheduler: Sendable {
    /// One job and where it stands.
    public struct Entry: Sendable, Hashable {
        /// The job.
        public var spec: JobSpec
        /// Where it stands.
        public var state: JobState
        /// The highest attempt number handed out so far (0 before the first).
        public var attempt: Int
        /// The worker of the current attempt, while running.
        public var worker: String?
        /// Reasons of the attempts that counted as failures.
        public var failures: [String]
        /// The result, once done.
        public var result: CompletedJob?
        /// Scheduling position: 0 is the most expensive job.
        var rank: Int
    }

    /// Failed attempts after which a job is given up.
    public let maxAttempts: Int
    private var entries: [String: Entry] = [:]
    private var ids: [String] = []  // by rank
    private var queue = RankHeap()

    /// An empty table.
    public init(maxAttempts: Int) {
        precondition(maxAttempts >= 1)
        self.maxAttempts = maxAttempts
    }

    /// The job `id`.
    public func entry(_ id: String) -> Entry? { entries[id] }

    /// Every job in scheduling order.
    public var allEntries: [Entry] { ids.map { entries[$0]! } }

    /// Whether every job is done or failed.
    public var isFinished: Bool { entries.values.allSatisfy { $0.state == .done || $0.state == .failed } }

    /// Results of the finished jobs, in scheduling order.
    public var completed: [CompletedJob] { allEntries.compactMap(\.result) }

    /// The queued job that should run next, without taking it.
    public mutating func nextQueued() -> JobSpec? {
        while let rank = queue.peek() {
            let entry = entries[ids[rank]]!
            if entry.state == .queued { return entry.spec }
            queue.pop()  // stale: the job left the queue after it was pushed
        }
        return nil
    }

    /// Applies one state change. Returns false (and changes nothing) when the record does not
    /// fit the current state, for example a result for an attempt that is no longer current.
    @discardableResult
    public mutating func apply(_ record: JournalRecord) -> Bool {
        switch record.kind {
        case .job:
            guard let spec = record.spec, entries[spec.id] == nil else { return false }
            add(spec)
            return true
        case .assigned, .adopted:
            guard let claim = record.claim, var entry = entries[claim.job], accepts(claim, entry, assigning: record.kind == .assigned) else { return false }
            if record.kind == .adopted, record.counts == false, entry.state == .queued, !entry.failures.isEmpty {
                entry.failures.removeLast()
            }
            entry.state = .running
            entry.attempt = claim.attempt
            entry.worker = record.worker
            entries[claim.job] = entry
            return true
        case .done:
            guard let claim = record.claim, var entry = entries[claim.job], canFinish(claim, entry) else { return false }
            entry.state = .done
            entry.result = record.result
            entry.worker = nil
            entries[claim.job] = entry
            return true
        case .attemptFailed:
            guard let claim = record.claim, var entry = entries[claim.job], entry.attempt == claim.attempt,
                entry.state == .running || entry.state == .orphaned
            else { return false }
            if record.counts ?? true { entry.failures.append(record.reason ?? "unknown") }
            entry.worker = nil
            entry.state = entry.failures.count >= maxAttempts ? .failed : .queued
            entries[claim.job] = entry
            if entry.state == .queued { queue.push(entry.rank) }
            return true
        }
    }

    /// Whether `claim` is the job's current attempt and may still finish: it is running or
    /// orphaned, or it was released (queued) and not yet handed out again.
    public func canFinish(_ claim: JobClaim) -> Bool {
        entries[claim.job].map { canFinish(claim, $0) } ?? false
    }

    private func canFinish(_ claim: JobClaim, _ entry: Entry) -> Bool {
        claim.attempt == entry.attempt && claim.attempt > 0 && [.running, .orphaned, .queued].contains(entry.state)
    }

    private func accepts(_ claim: JobClaim, _ entry: Entry, assigning: Bool) -> Bool {
        if assigning { return entry.state == .queued && claim.attempt == entry.attempt + 1 }
        return canFinish(claim, entry)
    }

    /// Marks every running job orphaned; called after replaying a journal, since the
    /// coordinator that ran them is gone.
    public mutating func orphanRunning() {
        for id in ids where entries[id]!.state == .running {
            entries[id]!.state = .orphaned
        }
    }

    private mutating func add(_ spec: JobSpec) {
        // Insert by (cost descending, id) and renumber: runs have tens to thousands of jobs,
        // and jobs are added once, so a linear insert is cheap enough.
        let goesLast = ids.last.map { last in
            let o = entries[last]!.spec
            return o.expectedCost > spec.expectedCost || (o.expectedCost == spec.expectedCost && o.id < spec.id)
        } ?? true
        let position = goesLast ? ids.count : ids.firstIndex { other in
            let o = entries[other]!.spec
            return o.expectedCost < spec.expectedCost || (o.expectedCost == spec.expectedCost && o.id > spec.id)
        } ?? ids.count
        ids.insert(spec.id, at: position)
        entries[spec.id] = Entry(spec: spec, state: .queued, attempt: 0, worker: nil, failures: [], result: nil, rank: position)
        if position < ids.count - 1 {
            for rank in position..<ids.count { entries[ids[rank]]!.rank = rank }
            queue = RankHeap()
            for (rank, id) in ids.enumerated() where entries[id]!.state == .queued { queue.push(rank) }
        } else {
            queue.push(position)
        }
    }
}
