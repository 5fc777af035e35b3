import Foundation

/// Writes RUN_DIR/results.jsonl: one JSON line per completed job (job, attempt, method, fold,
/// seed, rows, artefacts, timing, worker), each appended in one write. At start the file is
/// rewritten atomically (temporary file, fsync, rename) from the journal, so it holds exactly
/// the journal's completed jobs even after a crash between the journal and this file. The
/// journal is the durable record, so appends are flushed to disk at most once a second and at
/// the end of the run rather than after each line, which would double the fsyncs per job.
/// Beside it, RUN_DIR/failures.jsonl lists the jobs given up, rewritten atomically whenever
/// one more fails for good.
public final class JSONLinesResultSink: ResultSink, @unchecked Sendable {
    /// The results file.
    public let url: URL
    /// The failures file, in the same directory.
    public var failuresURL: URL { url.deletingLastPathComponent().appendingPathComponent("failures.jsonl") }
    private let lock = NSLock()
    private var descriptor: Int32 = -1
    private var lastSync = ContinuousClock.now
    private let encoder: JSONEncoder

    /// A sink writing `url`.
    public init(url: URL) {
        self.url = url
        encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    public func begin(completed: [CompletedJob]) throws {
        try lock.withLock {
            var data = Data()
            for result in completed { data.append(try line(result)) }
            try writeAtomically(data, to: url)
            descriptor = open(url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else { throw JobError("\(url.path): cannot open: \(String(cString: strerror(errno)))") }
        }
    }

    public func add(_ result: CompletedJob) throws {
        try lock.withLock {
            guard descriptor >= 0 else { throw JobError("\(url.path): add before begin") }
            try writeAll(descriptor, try line(result), path: url.path)
            if ContinuousClock.now - lastSync > .seconds(1) { try sync() }
        }
    }

    public func finish(completed: [CompletedJob], failed: [JobStatus]) throws {
        try lock.withLock { try sync() }
    }

    public func failed(_ jobs: [FailedJob]) throws {
        var data = Data()
        for job in jobs {
            data.append(try encoder.encode(job))
            data.append(UInt8(ascii: "\n"))
        }
        try lock.withLock { try writeAtomically(data, to: failuresURL) }
    }

    private func sync() throws {
        guard descriptor >= 0 else { return }
        guard fdatasync(descriptor) == 0 else { throw JobError("\(url.path): fdatasync failed: \(String(cString: strerror(errno)))") }
        lastSync = .now
    }

    private func line(_ result: CompletedJob) throws -> Data {
        var data = try encoder.encode(result)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads a results file back (for tests and the reports module).
    public static func read(_ url: URL) throws -> [CompletedJob] {
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").enumerated().map { index, line in
            do { return try decoder.decode(CompletedJob.self, from: Data(line.utf8)) } catch {
                throw JobError("\(url.path):\(index + 1): \(JobsFile.describe(error))")
            }
        }
    }
}
