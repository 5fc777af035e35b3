import Foundation

/// State the coordinator thread shares with callers on other threads.
final class SharedState: @unchecked Sendable {
    private let lock = NSCondition()
    private var stopped = false
    private var finishing = false
    private var bound: String?? = .none
    private var latest = RunStatus(jobs: [], workers: [])
    /// The pipe the coordinator thread polls, so that stop() wakes it at once.
    let wake: WakePipe

    init() throws {
        wake = try WakePipe()
    }

    var isStopped: Bool { lock.withLock { stopped } }

    var isWindingDown: Bool { lock.withLock { stopped || finishing } }

    /// Set before the workers are told to shut down, so that their exits are not taken for crashes.
    func markFinishing() { lock.withLock { finishing = true } }

    func stop() {
        lock.withLock { stopped = true }
        wake.signal()
    }

    func markBound(_ endpoint: String?) {
        lock.withLock {
            if bound == nil { bound = .some(endpoint) }
            lock.broadcast()
        }
    }

    func waitForBind(timeout: Duration) -> String? {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18)
        return lock.withLock {
            while bound == nil, lock.wait(until: deadline) {}
            return bound ?? nil
        }
    }

    var status: RunStatus {
        get { lock.withLock { latest } }
        set { lock.withLock { latest = newValue } }
    }
}
