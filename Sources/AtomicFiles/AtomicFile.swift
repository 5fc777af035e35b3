import Foundation

/// Writes files so that readers see the old content or the complete new one, never a part:
/// the data goes to a temporary file beside the target (`.<name>.tmp-<pid>`), which is renamed
/// over the target only once it is complete, and removed if anything fails. Every module that
/// writes a result file (jobs, reports, the runner's keys and results) writes it through here.
public enum AtomicFile {
    /// Writes `data` to `url` atomically. With `durable`, the temporary file is flushed to disk
    /// before the rename and the directory after it, so the new content survives a power cut
    /// once this returns (the runner's files, which it must never lose).
    public static func write(_ data: Data, to url: URL, durable: Bool = false) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try writeFile(data, to: temporary, durable: durable)
            guard rename(temporary.path, url.path) == 0 else {
                throw AtomicFileError(path: url.path, message: "cannot rename \(temporary.lastPathComponent) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
        if durable { flush(directory: directory) }
    }

    private static func writeFile(_ data: Data, to url: URL, durable: Bool) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: url.path, message: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(path: url.path, message: "write failed: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        if durable && fsync(fd) != 0 {
            throw AtomicFileError(path: url.path, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes a rename in `directory` durable; best effort, as not every file system can.
    private static func flush(directory: URL) {
        let fd = open(directory.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
