import Foundation
import Logging
import ZeroMQ

/// A worker: connects to a coordinator, runs one job at a time on a job thread, and streams
/// heartbeats with progress from its own I/O thread, which the job cannot starve. When the
/// coordinator goes silent it reconnects with exponential backoff (the ZeroMQ guide's
/// Paranoid Pirate worker) and reclaims the job it holds.
public final class Worker: Sendable {
    private let configuration: WorkerConfiguration
    private let executors: [any JobExecutor]
    private let logger: Logger
    private let stopFlag = StopFlag()
    private let wake: WakePipe

    /// A worker running jobs with the first of `executors` that handles each job's method.
    public init(configuration: WorkerConfiguration, executors: [any JobExecutor], logger: Logger) throws {
        self.configuration = configuration
        self.executors = executors
        self.logger = logger
        wake = try WakePipe()
    }

    /// Works until the coordinator shuts the run down, ``stop()`` is called or no coordinator
    /// answers for too long.
    public func run() async throws -> WorkerExit {
        let configuration = self.configuration, executors = self.executors, logger = self.logger
        let stopFlag = self.stopFlag, wake = self.wake
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let loop = try WorkerLoop(configuration: configuration, executors: executors, logger: logger, stopFlag: stopFlag, wake: wake)
                    continuation.resume(returning: try loop.run())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "worker-io"
            thread.start()
        }
    }

    /// Abandons the current job (the coordinator requeues it at once, without counting a
    /// failure), says goodbye and makes ``run()`` return. Safe from any thread or a signal
    /// handler's dispatch source.
    public func stop() {
        stopFlag.set()
        wake.signal()
    }
}
