import Foundation

/// The cost of durability on a file system: the reference the runner benchmark prints beside
/// its numbers, since every job commits the journal once.
public enum DiskProbe {
    /// The median time of `count` appends of one journal-sized line, each followed by
    /// fdatasync, in a scratch file in `directory`.
    public static func fdatasyncLatency(in directory: URL, count: Int = 100) throws -> Duration {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(".fdatasync-probe-\(getpid())")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw JobError("\(url.path): cannot create: \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(url.path)
        }
        let line = Data(String(repeating: "x", count: 199).utf8 + [UInt8(ascii: "\n")])
        var times: [Duration] = []
        for _ in 0..<max(1, count) {
            let start = ContinuousClock.now
            try writeAll(fd, line, path: url.path)
            guard fdatasync(fd) == 0 else { throw JobError("\(url.path): fdatasync failed: \(String(cString: strerror(errno)))") }
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[times.count / 2]
    }
}
