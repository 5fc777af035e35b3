import Foundation
import Jobs
import Logging

/// The coordinator: hands jobs to workers over a ROUTER socket, journals every state change
/// and resumes from the journal when started again on the same run directory.
///
/// All socket work happens on one dedicated thread; ``run()`` waits for it. ``stop()`` and
/// ``status()`` may be called from any thread.
public final class Coordinator: Sendable {
    private let configuration: CoordinatorConfiguration
    private let jobs: [JobSpec]
    private let sinks: [any ResultSink]
    private let logger: Logger
    private let onEvent: @Sendable (CoordinatorEvent) -> Void
    private let shared: SharedState

    /// A coordinator for `jobs`. Validates the jobs and the security settings; the run
    /// directory's journal is read by ``run()``.
    public init(configuration: CoordinatorConfiguration, jobs: [JobSpec], sinks: [any ResultSink] = [], logger: Logger,
                onEvent: @escaping @Sendable (CoordinatorEvent) -> Void = { _ in }) throws {
        try JobsFile.validate(jobs)
        if case .plaintext = configuration.security, !Endpoint.isLoopback(configuration.endpoint), !configuration.allowPlaintextOnNetwork {
            throw JobError("\(configuration.endpoint) is not a loopback endpoint: CURVE keys are required (or allow plaintext explicitly)")
        }
        guard configuration.liveness >= 1, configuration.maxAttempts >= 1, configuration.heartbeatInterval > .zero else {
            throw JobError("liveness, max attempts and the heartbeat interval must be positive")
        }
        let validator = SettingsValidator(allowedRoots: [configuration.runDirectory.path] + configuration.allowedPathRoots)
        for job in jobs { try validator.validate(job) }
        self.configuration = configuration
        self.jobs = jobs
        self.sinks = [JSONLinesResultSink(url: configuration.runDirectory.appendingPathComponent("results.jsonl"))] + sinks
        self.logger = logger
        self.onEvent = onEvent
        shared = try SharedState()
    }

    /// Runs until every job is done or failed (then tells the workers to shut down) or until
    /// ``stop()``. Throws if the run directory, the journal or the endpoint is unusable.
    public func run() async throws -> RunSummary {
        let configuration = self.configuration, jobs = self.jobs, sinks = self.sinks, logger = self.logger
        let onEvent = self.onEvent, shared = self.shared
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let loop = try CoordinatorLoop(configuration: configuration, jobs: jobs, sinks: sinks, logger: logger, onEvent: onEvent, shared: shared)
                    continuation.resume(returning: try loop.run())
                } catch {
                    shared.markBound(nil)
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "coordinator"
            thread.start()
        }
    }

    /// Asks ``run()`` to return soon; the journal is already durable, so nothing is lost.
    public func stop() { shared.stop() }

    /// Whether the run is ending: every job is done or failed and the workers are being told
    /// to shut down, or ``stop()`` was called. A worker that exits from now on was meant to.
    public var isWindingDown: Bool { shared.isWindingDown }

    /// The name of the file in the run directory that holds the bound endpoint while the
    /// coordinator listens (docs/run-directory.md), for `sparseseg status RUN_DIR`.
    public static let endpointFileName = "endpoint"

    /// The endpoint recorded in `runDirectory` by the coordinator serving it, or nil when none
    /// is listening there (or one was killed before it could remove the file).
    public static func recordedEndpoint(in runDirectory: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: runDirectory.appendingPathComponent(endpointFileName).path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The endpoint actually bound (with the port filled in), once listening; waits up to
    /// `timeout` for the bind. Nil if binding failed or timed out.
    public func boundEndpoint(timeout: Duration = .seconds(10)) -> String? { shared.waitForBind(timeout: timeout) }

    /// The run's current state.
    public func status() -> RunStatus { shared.status }
}
