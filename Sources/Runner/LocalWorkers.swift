import ChildProcesses
import Foundation

/// Worker processes on this machine (`sparseseg run`, the benchmark): each runs
/// `EXECUTABLE worker --connect ENDPOINT ...`, with its output appended to a log file.
public final class LocalWorkers: @unchecked Sendable {
    private let lock = NSLock()
    private let executable: URL
    private let arguments: [String]
    private let logDirectory: URL
    private var processes: [ChildProcess]
    private var restartCount = 0

    /// Starts `count` workers of `executable` connecting to `endpoint`, each with `arguments`
    /// appended; logs go to `logDirectory/worker-N.log`.
    public init(executable: URL, count: Int, endpoint: String, arguments: [String] = [], logDirectory: URL) throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        self.executable = executable
        self.arguments = ["worker", "--connect", endpoint] + arguments
        self.logDirectory = logDirectory
        var started: [ChildProcess] = []
        for index in 1...max(1, count) {
            do {
                started.append(try LocalWorkers.start(executable, self.arguments, log: logDirectory.appendingPathComponent("worker-\(index).log")))
            } catch {
                for other in started { other.terminate() }
                throw error
            }
        }
        processes = started
    }

    private static func start(_ executable: URL, _ arguments: [String], log: URL) throws -> ChildProcess {
        do {
            return try ChildProcess(executable: executable.path, arguments: arguments, output: .file(log.path))
        } catch {
            throw JobError("cannot start \(executable.path) worker: \(error)")
        }
    }

    /// The workers' process ids.
    public var pids: [Int32] { lock.withLock { processes.map(\.processIdentifier) } }

    /// How many workers are running.
    public var running: Int { lock.withLock { processes.filter(\.isRunning).count } }

    /// How many workers `replaceExited` has started so far.
    public var restarts: Int { lock.withLock { restartCount } }

    /// Starts a new worker in the place of each one that has exited (crashed, or killed by
    /// the out-of-memory killer), while fewer than `limit` replacements have been started in
    /// all. The coordinator has requeued the dead worker's job already; the new worker's
    /// output goes on in the same log. Returns the numbers (1-based) of the workers replaced.
    ///
    /// `unless` is asked after a worker is seen to have exited and before it is replaced: true
    /// leaves it (and the rest) alone.
    @discardableResult
    public func replaceExited(limit: Int, unless: () -> Bool = { false }) -> [Int] {
        lock.withLock {
            var replaced: [Int] = []
            for index in processes.indices where !processes[index].isRunning && restartCount < limit {
                if unless() { break }
                guard let process = try? LocalWorkers.start(executable, arguments,
                                                            log: logDirectory.appendingPathComponent("worker-\(index + 1).log")) else { continue }
                processes[index] = process
                restartCount += 1
                replaced.append(index + 1)
            }
            return replaced
        }
    }

    /// What one look at the workers during a run found (``supervise(_:limit:)``).
    public enum SupervisionEvent: Sendable, Equatable {
        /// Worker `worker` (1-based) had exited and was replaced; `restarts` of at most `limit` used.
        case replaced(worker: Int, restarts: Int, limit: Int)
        /// Every worker has exited and the `limit` replacements are used up: nobody is left to run jobs.
        case exhausted(limit: Int)
    }

    /// Replaces the workers that exited while `coordinator`'s run goes on (``replaceExited(limit:)``)
    /// and says what it did. Once the run is winding down (finished, so the workers were told
    /// to shut down, or stopped) a worker that exits was meant to: none is replaced.
    public func supervise(_ coordinator: Coordinator, limit: Int) -> [SupervisionEvent] {
        let before = restarts
        // Asked after an exit is seen: the coordinator winds down before it tells the workers
        // to shut down, so an exit that shutdown caused always finds it winding down.
        let replaced = replaceExited(limit: limit) { coordinator.isWindingDown }
        var events = replaced.enumerated().map { SupervisionEvent.replaced(worker: $1, restarts: before + $0 + 1, limit: limit) }
        if running == 0 && restarts >= limit && !coordinator.isWindingDown { events.append(.exhausted(limit: limit)) }
        return events
    }

    /// Waits up to `timeout` for every worker to exit; returns whether they all did.
    public func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if running == 0 { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Sends SIGTERM to the workers still running (each hands its job back and exits).
    public func terminate() {
        lock.withLock { for process in processes { process.terminate() } }
    }

    /// Stops the workers: SIGTERM, then SIGKILL for any still running after `grace`.
    public func stop(grace: Duration = .seconds(3)) {
        terminate()
        if !waitForExit(timeout: grace) {
            lock.withLock { for process in processes { process.signal(SIGKILL) } }
            _ = waitForExit(timeout: .seconds(2))
        }
    }
}
