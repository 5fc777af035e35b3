import Foundation

/// The worker's job thread, started once and reused for every job (a thread per job would
/// cost more than a short job). Jobs run one at a time, in order.
final class JobThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var finished = false

    init() {
        // The thread holds this object until finish(), then exits after the job in hand.
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while work.isEmpty && !finished { condition.wait() }
                if work.isEmpty {
                    condition.unlock()
                    return
                }
                let next = work.removeFirst()
                condition.unlock()
                next()
            }
        }
        thread.name = "job"
        // Training code may recurse deeply (autodiff over a whole network).
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Lets the thread exit once the queued jobs are done.
    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    /// Queues `job` to run on the job thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            work.append(job)
            condition.signal()
        }
    }
}
