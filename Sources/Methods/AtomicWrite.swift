import AtomicFiles
import Foundation

/// Atomic file writes of the job's outputs (``AtomicFile``), creating the job's folders.
enum AtomicWrite {
    static func data(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
    }

    static func text(_ text: String, to url: URL) throws { try data(Data(text.utf8), to: url) }

    static func json<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try data(try encoder.encode(value), to: url)
    }
}
