import Foundation

/// A process whose standard output and standard error are a pseudo-terminal, as when a user
/// runs it in a shell, with everything it writes collected (the output of
/// `ChildProcess` is a file, which is never a terminal).
final class TerminalProcess: @unchecked Sendable {
    let pid: pid_t
    private let collected = Collected()
    private let lock = NSLock()
    private var ended: Int32?

    init(_ executable: String, _ arguments: [String]) throws {
        var master: Int32 = -1, terminal: Int32 = -1
        guard openpty(&master, &terminal, nil, nil, nil) == 0 else {
            throw TerminalError("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        defer { close(terminal) }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, terminal, 1)
        posix_spawn_file_actions_adddup2(&actions, terminal, 2)
        posix_spawn_file_actions_addclose(&actions, terminal)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            close(master)
            throw TerminalError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        let collected = self.collected
        let descriptor = master
        Thread { collected.drain(descriptor) }.start()
    }

    deinit {
        if exitStatus == nil { kill(pid, SIGKILL) }
        _ = wait(timeout: 5)
    }

    /// What the process wrote so far.
    var output: String { collected.text }

    /// The exit status as a shell reports it (128 + the signal for a process a signal
    /// killed), or nil while it runs.
    var exitStatus: Int32? {
        lock.withLock {
            if ended == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    ended = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
                }
            }
            return ended
        }
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, or nil.
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return exitStatus
    }
}

/// The bytes read from the terminal, by a thread of their own so the process never blocks on a
/// full terminal.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Reads until the terminal closes (every writer has exited: read fails with EIO).
    func drain(_ master: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &buffer, buffer.count)
            if count > 0 {
                lock.withLock { data.append(contentsOf: buffer[0..<count]) }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(master)
    }
}

struct TerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
