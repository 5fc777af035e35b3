import AtomicFiles
import Foundation
import Jobs
import Runner

/// The small files of a finished job (metrics.json, pseudo_labels.json) travel inside its
/// result, so that the coordinator's run directory gets them even when the worker wrote its
/// job directory on a disk the coordinator does not see. Each is one result row:
/// `{"file": NAME, "content": JSON}`.
public enum ResultFiles {
    /// The files carried, in the order they are sent.
    public static let names = ["metrics.json", "pseudo_labels.json"]

    /// The rows for the files present in `directory`.
    static func rows(in directory: URL) throws -> [JSONValue] {
        try names.compactMap { name in
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
            let content = try JSONDecoder().decode(JSONValue.self, from: data)
            return .object(["file": .string(name), "content": content])
        }
    }

    /// Every file of the job directory `directory`, relative to it and sorted: the artefacts
    /// of a result (predictions, checkpoints, logs), whose paths the coordinator prefixes with
    /// `jobs/<job id>/`. Hidden files (a half-written temporary) are left out.
    static func artefacts(in directory: URL) -> [String] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            if path.hasPrefix(root) { paths.append(String(path.dropFirst(root.count))) }
        }
        return paths.sorted()
    }

    /// Writes each carried file into `directory` unless it is there already (a shared run
    /// directory), atomically. Rows of other shapes (the runner's test jobs) are ignored.
    static func write(_ rows: [JSONValue], into directory: URL) throws {
        for row in rows {
            guard let name = row["file"]?.stringValue, names.contains(name), let content = row["content"] else { continue }
            let url = directory.appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: url.path) else { continue }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(content), to: url, durable: true)
        }
    }
}
