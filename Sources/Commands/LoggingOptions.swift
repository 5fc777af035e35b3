import ArgumentParser
import Foundation
import Logging

/// The log level option shared by the runner's commands; logs go to standard error.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    /// The level `--log-level` names: one of swift-log's, else a usage error naming the flag
    /// and the accepted values (a typo must not silently log at another level).
    static func level(_ name: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: name) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); given '\(name)'")
        }
        return level
    }

    func validate() throws { _ = try Self.level(logLevel) }

    func logger(_ label: String) -> Logger {
        _ = bootstrapLogging
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

/// Logging is bootstrapped once per process, on first use.
private let bootstrapLogging: Void = LoggingSystem.bootstrap(StreamLogHandler.standardError)
