import ChildProcesses
import Foundation

/// Worker processes on this machine (`sparseseg run`, the benchmark): each runs
/// `EXECUTABLE worker --connect ENDPOINT ...`, with its standard error in a log file.
public final class LocalWorkers: @unchecked Sendable {
    private let lock = NSLock()
    private let processes: [ChildProcess]

    /// Starts `count` workers of `executable` connecting to `endpoint`, each with `arguments`
    /// appended; logs go to `logDirectory/worker-N.log`.
    public init(executable: URL, count: Int, endpoint: String, arguments: [String] = [], logDirectory: URL) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        var started: [ChildProcess] = []
        for index in 1...max(1, count) {
            let log = logDirectory.appendingPathComponent("worker-\(index).log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw JobError("cannot create \(log.path)") }
            do {
                started.append(try ChildProcess(executable: executable.path, arguments: ["worker", "--connect", endpoint] + arguments,
                                                output: .file(log.path)))
            } catch {
                for other in started { other.terminate() }
                throw JobError("cannot start \(executable.path) worker: \(error)")
            }
        }
        processes = started
    }

    /// The workers' process ids.
    public var pids: [Int32] { lock.withLock { processes.map(\.processIdentifier) } }

    /// Waits up to `timeout` for every worker to exit; returns whether they all did.
    public func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lock.withLock({ processes.allSatisfy { !$0.isRunning } }) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Sends SIGTERM to the workers still running (each hands its job back and exits).
    public func terminate() {
        lock.withLock { for process in processes where process.isRunning { process.terminate() } }
    }

    /// Stops the workers: SIGTERM, then SIGKILL for any still running after `grace`.
    public func stop(grace: Duration = .seconds(3)) {
        terminate()
        if !waitForExit(timeout: grace) {
            lock.withLock { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            _ = waitForExit(timeout: .seconds(2))
        }
    }
}
