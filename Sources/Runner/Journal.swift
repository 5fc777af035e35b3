import AtomicFiles
import Foundation
import Jobs

/// One state change of a run, as one line of RUN_DIR/journal.jsonl.
public struct JournalRecord: Sendable, Hashable, Codable {
    /// What changed.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A job joined the run (`spec`).
        case job
        /// `claim` was handed to `worker`.
        case assigned
        /// A worker that reconnected (or outlived a coordinator restart) took `claim` back.
        case adopted
        /// `claim` finished with `result`.
        case done
        /// `claim` ended without a result for `reason`; `counts` says whether it uses up one of
        /// the job's attempts (a crash or a lost worker does; a worker stopped by SIGTERM or a
        /// coordinator restart does not).
        case attemptFailed
    }

    /// The journal format version.
    public var v: Int = 1
    /// What changed.
    public var kind: Kind
    /// Seconds since 1970 when the change happened.
    public var time: Double
    /// The job, for `job` records.
    public var spec: JobSpec?
    /// The job and attempt the change concerns.
    public var claim: JobClaim?
    /// The worker (host:pid), for `assigned`, `adopted` and `done`.
    public var worker: String?
    /// The result, for `done`.
    public var result: CompletedJob?
    /// Why the attempt ended, for `attemptFailed`.
    public var reason: String?
    /// Whether the attempt counts as a failure, for `attemptFailed`; false on `adopted` when
    /// the failure counted for the attempt is withdrawn.
    public var counts: Bool?

    init(kind: Kind, spec: JobSpec? = nil, claim: JobClaim? = nil, worker: String? = nil, result: CompletedJob? = nil,
         reason: String? = nil, counts: Bool? = nil) {
        self.kind = kind
        self.time = Date().timeIntervalSince1970
        self.spec = spec
        self.claim = claim
        self.worker = worker
        self.result = result
        self.reason = reason
        self.counts = counts
    }

    /// A job joining the run.
    public static func job(_ spec: JobSpec) -> JournalRecord { .init(kind: .job, spec: spec) }
    /// A claim handed to a worker.
    public static func assigned(_ claim: JobClaim, worker: String) -> JournalRecord { .init(kind: .assigned, claim: claim, worker: worker) }
    /// A claim taken back by a reconnected worker; `forgiven` withdraws the failure counted
    /// when that worker was declared lost with it.
    public static func adopted(_ claim: JobClaim, worker: String, forgiven: Bool = false) -> JournalRecord {
        .init(kind: .adopted, claim: claim, worker: worker, counts: forgiven ? false : nil)
    }
    /// A claim finished.
    public static func done(_ result: CompletedJob) -> JournalRecord {
        .init(kind: .done, claim: JobClaim(job: result.job, attempt: result.attempt), worker: result.worker, result: result)
    }
    /// A claim ended without a result.
    public static func attemptFailed(_ claim: JobClaim, reason: String, counts: Bool) -> JournalRecord {
        .init(kind: .attemptFailed, claim: claim, reason: reason, counts: counts)
    }
}

/// The run's durable journal: RUN_DIR/journal.jsonl, one JSON record per line, appended and
/// flushed to disk (fdatasync) before anything that depends on it is sent or reported.
///
/// Opening an existing journal replays it. A last line without its newline, or one that does
/// not parse, is the torn end of a write interrupted by kill -9 or a crash: it is cut off (the
/// state change it described was never acknowledged to anyone). A bad line anywhere else is
/// corruption and an error.
public final class Journal {
    /// The journal file.
    public let url: URL
    private let descriptor: Int32
    private let encoder = { () -> JSONEncoder in
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
    private var unsynced = false

    /// Opens (creating if needed) the journal at `url`; returns it with the records already
    /// in it, in order.
    ///
    /// The journal is locked (`flock`, exclusive) while it is open, so that a second
    /// coordinator on the same run directory, from this machine or another one sharing the
    /// directory, is refused instead of resuming a run that is still going on: the lock goes
    /// with the descriptor, when the journal is released or its process dies.
    public static func open(at url: URL) throws -> (journal: Journal, records: [JournalRecord]) {
        let path = url.path
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JobError("\(path): cannot open the journal: \(String(cString: strerror(errno)))") }
        try lockExclusively(fd, path: path, inUse: "another coordinator is running on this run directory; stop it first, or give another run directory")
        do {
            let data = try Data(contentsOf: url)
            let (records, validLength) = try parse(data, path: path)
            if validLength < data.count {
                guard ftruncate(fd, off_t(validLength)) == 0, fsync(fd) == 0 else {
                    throw JobError("\(path): cannot cut off the torn last line: \(String(cString: strerror(errno)))")
                }
            }
            return (Journal(url: url, descriptor: fd), records)
        } catch {
            Foundation.close(fd)
            throw error
        }
    }

    /// The records in `data` and the length of the part that holds them (shorter than the
    /// data when the last line is torn).
    static func parse(_ data: Data, path: String) throws -> ([JournalRecord], Int) {
        let decoder = JSONDecoder()
        var records: [JournalRecord] = []
        let bytes = [UInt8](data)
        var start = 0, lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                return (records, start)  // torn: no newline
            }
            let line = Data(bytes[start..<end])
            do {
                records.append(try decoder.decode(JournalRecord.self, from: line))
            } catch {
                if end + 1 == bytes.count { return (records, start) }  // torn last line
                throw JobError("\(path):\(lineNumber): corrupt journal record: \(JobsFile.describe(error))")
            }
            start = end + 1
        }
        return (records, bytes.count)
    }

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    deinit { Foundation.close(descriptor) }

    /// Writes `record` as one line (one write call, so a crash leaves at most one torn line).
    /// It is durable only after the next ``sync()``.
    public func append(_ record: JournalRecord) throws {
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        try writeAll(descriptor, line, path: url.path)
        unsynced = true
    }

    /// Flushes appended records to the disk.
    public func sync() throws {
        guard unsynced else { return }
        guard fdatasync(descriptor) == 0 else { throw JobError("\(url.path): fdatasync failed: \(String(cString: strerror(errno)))") }
        unsynced = false
    }
}

/// Writes all of `data` to `fd`, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
    try data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw JobError("\(path): write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// The journal's lock held without the journal: `sparseseg train` takes it so that it never
/// writes into a run directory that a live coordinator serves (and a coordinator started
/// meanwhile is refused). Released when the lock is deinitialised.
public final class JournalLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { Foundation.close(descriptor) }

    /// Locks `runDirectory/journal.jsonl` if the run directory has one; nil when it has none.
    /// Throws, naming the journal, when a coordinator holds it.
    public static func holdIfPresent(in runDirectory: URL) throws -> JournalLock? {
        let path = runDirectory.appendingPathComponent("journal.jsonl").path
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw JobError("\(path): cannot open the journal: \(String(cString: strerror(errno)))")
        }
        try lockExclusively(fd, path: path, inUse: "a coordinator is running on this run directory; wait for it, or give another run directory")
        return JournalLock(descriptor: fd)
    }
}

/// Takes the journal's exclusive lock on `fd` without waiting; when another process holds it,
/// closes `fd` and throws "<path>: in use: <inUse>".
func lockExclusively(_ fd: Int32, path: String, inUse: String) throws {
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
        let reason = errno == EWOULDBLOCK ? "in use: \(inUse)" : "cannot lock the journal: \(String(cString: strerror(errno)))"
        Foundation.close(fd)
        throw JobError("\(path): \(reason)")
    }
}

/// Writes `data` to `url` atomically and durably (``AtomicFile``): the runner's files are the
/// record of a run and must survive a crash.
func writeAtomically(_ data: Data, to url: URL) throws {
    try AtomicFile.write(data, to: url, durable: true)
}

/// The cost of durability on a file system: the reference the runner benchmark prints beside
/// its numbers, since every job commits the journal once.
public enum DiskProbe {
    /// The median time of `count` appends of one journal-sized line, each followed by
    /// fdatasync, in a scratch file in `directory`.
    public static func fdatasyncLatency(in directory: URL, count: Int = 100) throws -> Duration {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(".fdatasync-probe-\(getpid())")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JobError("\(url.path): cannot create: \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(url.path)
        }
        let line = Data(String(repeating: "x", count: 199).utf8 + [UInt8(ascii: "\n")])
        var times: [Duration] = []
        for _ in 0..<max(1, count) {
            let start = ContinuousClock.now
            try writeAll(fd, line, path: url.path)
            guard fdatasync(fd) == 0 else { throw JobError("\(url.path): fdatasync failed: \(String(cString: strerror(errno)))") }
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[times.count / 2]
    }
}
