import Dispatch

/// Runs `body(i)` for i in 0..<count: in order on this thread when ``BLAS/threads`` is 1,
/// otherwise on that many threads, worker w taking i = w, w + workers, ... Each i must touch
/// memory no other i touches; the result then does not depend on the thread count.
func parallelFor(_ count: Int, _ body: @escaping (Int) -> Void) {
    let workers = max(1, min(BLAS.threads, count))
    guard workers > 1 else {
        for i in 0..<count { body(i) }
        return
    }
    // Unchecked: the callers' tasks write disjoint memory, and concurrentPerform returns only
    // when every worker is done.
    let task = UncheckedSendable(value: body)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        for i in stride(from: w, to: count, by: workers) { task.value(i) }
    }
}

/// A value handed to worker threads whose accesses are made disjoint by the caller.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

/// Calls `body` on consecutive blocks of 0..<count (32 Ki elements each): on this thread for
/// small counts, else spread over ``BLAS/threads`` threads (blocks must be independent).
func forEachBlock(_ count: Int, _ body: @escaping (Range<Int>) -> Void) {
    let block = 1 << 15
    guard count > block else { return body(0..<count) }
    parallelFor((count + block - 1) / block) { k in body(k * block..<min(count, (k + 1) * block)) }
}
