import Foundation
import Logging

/// A log handler appending one line per message to a file, so that logs do not tear the
/// live view.
struct FileLogHandler: LogHandler {
    let handle: FileHandle
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = Date().formatted(.iso8601)
        handle.write(Data("\(time) \(event.level) \(event.message)\n".utf8))
    }
}
