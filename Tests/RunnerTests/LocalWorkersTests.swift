import Foundation
import Logging
import Jobs
import XCTest
@testable import Runner

/// The local workers of `sparseseg run`: replaced when they die during a run, left alone when
/// they exit because the run is over.
final class LocalWorkersTests: XCTestCase {
    /// A sink whose `finish` takes a while, as the report of an experiment does: the workers are
    /// told to shut down before it runs, so they exit while the run is still ending.
    private final class SlowFinish: ResultSink {
        let seconds: Double
        init(seconds: Double) { self.seconds = seconds }
        func begin(completed: [CompletedJob]) throws {}
        func add(_ result: CompletedJob) throws {}
        func finish(completed: [CompletedJob], failed: [JobStatus]) throws { Thread.sleep(forTimeInterval: seconds) }
    }

    /// Before the fix, the run's refresher replaced the workers that the finished run had told
    /// to shut down and printed "worker 1 exited; started a new one".
    func testWorkersThatExitBecauseTheRunFinishedAreNotReplaced() async throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1, settings: ["x": 1])])
        let settings = CoordinatorConfiguration(endpoint: "tcp://127.0.0.1:*", runDirectory: harness.runDirectory,
                                                heartbeatInterval: .milliseconds(100), liveness: 3, maxAttempts: 3)
        let coordinator = try Coordinator(configuration: settings, jobs: try JobsFile.load(harness.jobsFile),
                                          sinks: [SlowFinish(seconds: 2)], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let run = Task { try await coordinator.run() }
        let endpoint = try XCTUnwrap(coordinator.boundEndpoint())
        // One worker: it must join for the job to run, so it is surely told to shut down (a
        // second one could still be connecting when the run ends, and would never hear of it).
        let workers = try LocalWorkers(executable: harness.executable, count: 1, endpoint: endpoint,
                                       arguments: ["--heartbeat-ms", "100", "--give-up-after", "30"],
                                       logDirectory: harness.directory.appendingPathComponent("logs"))
        defer { workers.stop(grace: .seconds(2)) }

        // Looked at as often as the run's refresher does, and more, until the run returns.
        let supervisor = Task {
            var events: [LocalWorkers.SupervisionEvent] = []
            while !Task.isCancelled {
                events += workers.supervise(coordinator, limit: 6)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return events
        }
        let summary = try await run.value
        supervisor.cancel()
        let events = await supervisor.value

        XCTAssertTrue(summary.finished)
        XCTAssertTrue(coordinator.isWindingDown)
        XCTAssertTrue(workers.waitForExit(timeout: .seconds(5)), "the workers left when told to")
        XCTAssertEqual(events, [], "no worker replaced or reported after the run finished")
        XCTAssertEqual(workers.restarts, 0)
    }

    /// The other side: during a run, a worker that dies is replaced and reported.
    func testAWorkerThatDiesDuringTheRunIsReplaced() async throws {
        let harness = try Harness(jobs: [JobSpec(id: "slow", method: "test.sleep", fold: 0, seed: 1, settings: ["seconds": 30])])
        let settings = CoordinatorConfiguration(endpoint: "tcp://127.0.0.1:*", runDirectory: harness.runDirectory,
                                                heartbeatInterval: .milliseconds(100), liveness: 3, maxAttempts: 3)
        let coordinator = try Coordinator(configuration: settings, jobs: try JobsFile.load(harness.jobsFile),
                                          logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let run = Task { try await coordinator.run() }
        let endpoint = try XCTUnwrap(coordinator.boundEndpoint())
        let workers = try LocalWorkers(executable: harness.executable, count: 1, endpoint: endpoint,
                                       arguments: ["--heartbeat-ms", "100", "--give-up-after", "30"],
                                       logDirectory: harness.directory.appendingPathComponent("logs"))
        defer {
            coordinator.stop()
            workers.stop(grace: .seconds(2))
        }
        XCTAssertTrue(harness.wait(10) { coordinator.status().count(.running) == 1 }, "the job never started")
        for pid in workers.pids { kill(pid, SIGKILL) }
        XCTAssertTrue(harness.wait(5) { workers.running == 0 })

        XCTAssertEqual(workers.supervise(coordinator, limit: 3), [.replaced(worker: 1, restarts: 1, limit: 3)])
        XCTAssertFalse(coordinator.isWindingDown)
        coordinator.stop()
        _ = try await run.value
    }
}
