import Foundation
import Synchronization

/// Runs `body(i)` for i in 0..<count: in order on this thread when ``BLAS/threads`` is 1,
/// otherwise on that many threads, each claiming the next indices as it becomes free (see
/// ``forEachTask(_:workers:_:)``). Each i must touch memory no other i touches; the result then
/// does not depend on the thread count.
func parallelFor(_ count: Int, _ body: @escaping (Int) -> Void) {
    forEachTask(count, workers: BLAS.threads) { i, _ in body(i) }
}

/// Runs `body(task, worker)` for every task in 0..<count on `workers` threads (worker 0 is this
/// one). Tasks are handed out in order to whichever worker is free, a few at a time, so a
/// worker that is slowed (by the other load of a shared machine, or by a late start) takes
/// fewer of them and nobody waits long for it at the end. Which worker runs a task varies from
/// run to run: a task must write only its own outputs (and scratch indexed by `worker`), so that
/// the result does not depend on the assignment.
func forEachTask(_ count: Int, workers: Int, _ body: @escaping (_ task: Int, _ worker: Int) -> Void) {
    let workers = max(1, min(workers, count))
    guard workers > 1 else {
        for task in 0..<count { body(task, 0) }
        return
    }
    // Claims of several tasks at once when there are many small ones: at most ~16 claims per
    // worker, each an atomic add on a shared line.
    let grain = max(1, count / (workers * 16))
    let counter = TaskCounter()
    WorkerPool.shared.run(workers) { worker in
        while true {
            let first = counter.next.wrappingAdd(grain, ordering: .relaxed).oldValue
            if first >= count { return }
            for task in first..<min(count, first + grain) { body(task, worker) }
        }
    }
}

/// The next unclaimed task of one ``forEachTask(_:workers:_:)`` call.
private final class TaskCounter: Sendable {
    let next = Atomic<Int>(0)
}

/// Calls `body` on consecutive blocks of 0..<count (32 Ki elements each): on this thread for
/// small counts, else spread over ``BLAS/threads`` threads (blocks must be independent).
func forEachBlock(_ count: Int, _ body: @escaping (Range<Int>) -> Void) {
    let block = 1 << 15
    guard count > block else { return body(0..<count) }
    parallelFor((count + block - 1) / block) { k in body(k * block..<min(count, (k + 1) * block)) }
}

/// The threads behind ``forEachTask(_:workers:_:)``: the caller is worker 0, and helper
/// threads, started on first use and kept, are workers 1, 2, ... ``run(_:_:)`` gives worker w
/// share w; forEachTask, on top, lets the shares claim tasks.
///
/// Why not `DispatchQueue.concurrentPerform`: its threads sleep between calls, and a thread
/// woken for a short layer often asks for work only after the caller has run every share
/// itself, so two threads do little better than one. Here a helper polls for
/// ``spinNanoseconds`` after each share before it sleeps, so the many short layers of a step
/// find it awake.
final class WorkerPool: @unchecked Sendable {
    /// The pool of the process.
    static let shared = WorkerPool()

    /// How long a helper keeps polling for the next share before it sleeps on the condition:
    /// longer than the serial stretches of a training step (the loss, packing weights), so
    /// that the helper is awake for the next layer: a sleeping helper wakes late enough to leave
    /// the caller most of a short layer (docs/training-core.md, Threads). While it polls, a
    /// helper yields its CPU to any other runnable thread.
    static let spinNanoseconds: UInt64 = 20_000_000

    /// The published job: a generation count, bumped for each job, times 2^16 plus the job's
    /// worker count, in one word so that a helper reads both at once. Helpers watch it.
    private let published = Atomic<Int>(0)
    /// Helper shares of the current job still running.
    private let remaining = Atomic<Int>(0)
    /// Set while a job runs: a caller that finds it set (a nested or concurrent call) runs its
    /// shares on its own thread instead.
    private let busy = Atomic<Bool>(false)
    /// Guards `helpers` and the sleeping helpers' wake-up.
    private let condition = NSCondition()
    /// Helper threads started so far (workers 1...helpers).
    private var helpers = 0
    /// The current job, written before it is published (releasing) and read only by the
    /// helpers that take part, after they see it (acquiring); the caller waits for them before
    /// it writes the next.
    private nonisolated(unsafe) var job: (Int) -> Void = { _ in }

    /// Runs `body(w)` for w in 0..<workers, w = 0 on this thread, and returns when all have
    /// finished.
    func run(_ workers: Int, _ body: @escaping (Int) -> Void) {
        guard workers > 1, !busy.exchange(true, ordering: .acquiring) else {
            for w in 0..<workers { body(w) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startHelpers(workers - 1)
        job = body
        remaining.store(workers - 1, ordering: .relaxed)
        let generation = (published.load(ordering: .relaxed) >> 16) + 1
        published.store((generation << 16) | workers, ordering: .releasing)
        condition.lock()
        condition.broadcast()
        condition.unlock()
        body(0)
        // The helpers' shares end about when this one does; past a short spin, yield the CPU
        // in case a helper waits for it (more threads than cores).
        var polls = 0
        while remaining.load(ordering: .acquiring) > 0 {
            polls += 1
            if polls > 4096 { sched_yield() }
        }
        // Let go of the job's captures (a layer, its tensors) now rather than at the next job.
        job = { _ in }
    }

    private func startHelpers(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        while helpers < count {
            helpers += 1
            let index = helpers, seen = published.load(ordering: .acquiring)
            let thread = Thread { [self] in serve(worker: index, seen: seen) }
            thread.name = "TrainingCore worker \(index)"
            thread.start()
        }
    }

    /// A helper's loop: wait for the next job, run its share if the job has one.
    private func serve(worker: Int, seen start: Int) {
        var seen = start
        while true {
            seen = waitForJob(after: seen)
            guard worker < seen & 0xFFFF else { continue }
            job(worker)
            remaining.subtract(1, ordering: .releasing)
        }
    }

    /// Polls `published` for up to ``spinNanoseconds``, then sleeps on the condition.
    private func waitForJob(after seen: Int) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
        var polls = 0
        while true {
            let current = published.load(ordering: .acquiring)
            if current != seen { return current }
            polls += 1
            if polls % 256 == 0 {
                if DispatchTime.now().uptimeNanoseconds > deadline { break }
                // Let any other runnable thread have this CPU (more threads than cores).
                sched_yield()
            }
        }
        condition.lock()
        defer { condition.unlock() }
        while published.load(ordering: .acquiring) == seen { condition.wait() }
        return published.load(ordering: .acquiring)
    }
}
