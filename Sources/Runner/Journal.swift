import AtomicFiles
import Foundation

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
