import CSpawn
import Foundation

/// A child process that is started with `posix_spawn` and reaped with `waitpid`.
///
/// This exists because Foundation's `Process` on Linux cannot always tell that a child has
/// exited. It learns of the exit when a socket it leaves open in the child is closed. A
/// daemon that the child starts, such as munged or slurmctld in the Slurm test, inherits
/// that socket and keeps it open. `waitUntilExit()` then waits for as long as the daemon
/// lives (swift-corelibs-foundation issue 4795), and `isRunning` stays true.
///
/// `ChildProcess` prevents this in four ways:
/// - the child inherits no descriptor beyond its standard input, output and error;
/// - the child's signals are reset to their defaults (a coordinator ignores SIGTERM, and
///   ignored signals survive exec);
/// - the exit status comes from `waitpid` on this one pid;
/// - every wait can take a deadline.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard output and standard error go.
    public enum Output: Sendable {
        /// `/dev/null`.
        case discard
        /// A file, created if missing and appended to, shared by both streams in order.
        case file(String)
    }

    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        /// The exit code as a shell reports it: the status, or 128 + the signal.
        public var code: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// The child's pid.
    public let processIdentifier: pid_t

    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; nil inherits this process's.
    ///   - directory: the child's working directory; nil inherits this process's.
    ///   - output: where standard output and standard error go. Standard input is `/dev/null`.
    ///   - processGroup: starts the child in a process group of its own, so that
    ///     `signalGroup` reaches everything it started.
    public init(executable: String, arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                output: Output = .discard, processGroup: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        sparseseg_spawn_addclosefrom(&actions, 3)
        if let directory { sparseseg_spawn_addchdir(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigfillset(&defaults)
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if processGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = [executable] + arguments
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envpPointers in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointers, envpPointers)
            }
        }
        guard result == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
    }

    /// How the child ended, or nil while it runs. Reaps the child once it has exited.
    public var termination: Termination? {
        lock.withLock {
            if ended == nil {
                var status: Int32 = 0
                if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
                    ended = sparseseg_wifexited(status) != 0 ? .exited(sparseseg_wexitstatus(status)) : .signalled(sparseseg_wtermsig(status))
                }
            }
            return ended
        }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { termination == nil }

    /// The exit code as a shell reports it, or -1 while the child runs.
    public var terminationStatus: Int32 { termination?.code ?? -1 }

    /// Waits up to `timeout` for the child to exit. Returns how it ended, or nil on timeout.
    @discardableResult
    public func wait(timeout: Duration) -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let termination { return termination }
            if ContinuousClock.now >= deadline { return nil }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// Sends `signal` to the child, unless it has already exited.
    public func signal(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Sends SIGTERM to the child.
    public func terminate() { signal(SIGTERM) }

    /// Sends `signal` to the child's process group. The child must have been started with
    /// `processGroup: true`.
    public func signalGroup(_ signal: Int32) { killpg(processIdentifier, signal) }

    /// Runs `executable` to completion and returns how it ended and what it printed to
    /// standard output and standard error, interleaved.
    ///
    /// The output goes through a temporary file rather than a pipe, so a daemon that the
    /// child leaves behind cannot hold the read open. When `timeout` passes, the child's
    /// whole process group is killed, and the returned output ends with a line saying so.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil, timeout: Duration) throws -> (termination: Termination, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(getpid())-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, directory: directory,
                                     output: .file(log), processGroup: true)
        var termination = child.wait(timeout: timeout)
        var note = ""
        if termination == nil {
            child.signalGroup(SIGKILL)
            termination = child.wait(timeout: .seconds(5)) ?? .signalled(SIGKILL)
            note = "\n[killed after \(timeout): \(executable) \(arguments.joined(separator: " "))]\n"
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (termination!, text + note)
    }
}

/// A child process that could not be started, with the reason.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Calls `body` with a NULL-terminated C array of `strings`, valid only during the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
