import Foundation

/// The journal's lock held without the journal: `sparseseg train` takes it so that it never
/// writes into a run directory that a live coordinator serves (and a coordinator started
/// meanwhile is refused). Released when the lock is deinitialised.
public final class JournalLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { Foundation.close(descriptor) }

    /// Locks `runDirectory/journal.jsonl` if the run directory has one; nil when it has none.
    /// Throws, naming the journal, when a coordinator holds it.
    public static func holdIfPresent(in runDirectory: URL) throws -> JournalLock? {
        let path = runDirectory.appendingPathComponent("journal.jsonl").path
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw JobError("\(path): cannot open the journal: \(String(cString: strerror(errno)))")
        }
        try lockExclusively(fd, path: path, inUse: "a coordinator is running on this run directory; wait for it, or give another run directory")
        return JournalLock(descriptor: fd)
    }
}
