import ChildProcesses
import Foundation
import Jobs
import XCTest
@testable import Runner

/// Real `sparseseg` processes for the cluster tests: a run directory, a coordinator and
/// workers on 127.0.0.1, with short heartbeats, and readers for what they leave on disk. The
/// processes are `sparseseg-testing`, the command line whose workers run the test jobs
/// (`test.sleep`, `test.crash`, ...), unless a test asks for the shipped `sparseseg`.
final class Harness {
    let directory: URL
    let runDirectory: URL
    let jobsFile: URL
    let port: Int
    /// The executable that ``start(_:log:)`` runs.
    let executable: URL
    private(set) var processes: [ChildProcess] = []
    private var logCount = 0

    /// `sparseseg-testing`, built beside the test bundle (`swift build --build-tests` builds
    /// every target).
    static var executable: URL { built("sparseseg-testing") }

    /// The shipped `sparseseg`, built beside the test bundle: it runs no test job.
    static var shippedExecutable: URL { built("sparseseg") }

    private static func built(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    init(jobs: [JobSpec], executable: URL = Harness.executable) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw JobError("\(executable.path) is missing: build with `swift build --build-tests` first")
        }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runner-cluster-\(UUID().uuidString)")
        runDirectory = directory.appendingPathComponent("run")
        jobsFile = directory.appendingPathComponent("jobs.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JobsFile.encode(jobs).write(to: jobsFile)
        port = try Harness.freePort()
    }

    deinit {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    var endpoint: String { "tcp://127.0.0.1:\(port)" }

    /// A port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw JobError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `sparseseg ARGUMENTS` with standard error in a log file; returns the process.
    @discardableResult
    func start(_ arguments: [String], log name: String) throws -> ChildProcess {
        let log = directory.appendingPathComponent("\(name).log")
        let process = try ChildProcess(executable: executable.path, arguments: arguments, output: .file(log.path))
        processes.append(process)
        return process
    }

    /// The coordinator with 100 ms heartbeats.
    @discardableResult
    func startCoordinator(_ extra: [String] = []) throws -> ChildProcess {
        try start(["coordinator", jobsFile.path, "--bind", endpoint, "--out", runDirectory.path, "--heartbeat-ms", "100", "--liveness", "3",
                   "--reclaim-grace-ms", "3000"] + extra, log: "coordinator")
    }

    /// A worker with 100 ms heartbeats and short backoff.
    @discardableResult
    func startWorker(_ extra: [String] = []) throws -> ChildProcess {
        logCount += 1
        return try start(["worker", "--connect", endpoint, "--heartbeat-ms", "100", "--max-backoff-ms", "400", "--give-up-after", "20"] + extra,
                         log: "worker-\(logCount)")
    }

    func log(_ name: String) -> String { (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? "" }

    var journal: [JournalRecord] {
        (try? Journal.parse(Data(contentsOf: runDirectory.appendingPathComponent("journal.jsonl")), path: "journal").0) ?? []
    }

    var results: [CompletedJob] { (try? JSONLinesResultSink.read(runDirectory.appendingPathComponent("results.jsonl"))) ?? [] }

    /// Lines of a job's completions.log: one per time the job ran to completion anywhere.
    func completions(_ job: String) -> [String] {
        ((try? String(contentsOf: runDirectory.appendingPathComponent("jobs/\(job)/completions.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// Waits until `condition` holds, polling every 10 ms; false on timeout.
    func wait(_ timeout: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    /// Waits for `process` to exit; returns its status, nil on timeout.
    func exitStatus(_ process: ChildProcess, timeout: Double) -> Int32? {
        wait(timeout) { !process.isRunning } ? process.terminationStatus : nil
    }
}
