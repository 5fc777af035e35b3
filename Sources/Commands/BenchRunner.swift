import ArgumentParser
import Experiments
import Foundation
import Jobs
import Logging
import Runner

/// `sparseseg bench runner`: no-op jobs per second through the coordinator with 1, 2 and 4
/// worker processes, and the round trip of one job.
struct BenchRunner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "No-op jobs per second through a coordinator (journal on disk) with 1, 2 and 4 worker processes, and job round-trip latency.",
        discussion: """
            Jobs per second count completions after every worker has joined. The round trip is the median time from \
            the coordinator assigning a job to it receiving the result. For comparison (not rerun here; \
            docs/performance.md): Ray 2.60 ran 1,700-1,950 no-op tasks/s with a 1.5-1.7 ms round trip on a 2-core machine.
            """)

    @Option(help: "No-op jobs per measurement.")
    var jobs = 3000

    @Option(parsing: .upToNextOption, help: "Worker counts to measure.")
    var workers: [Int] = [1, 2, 4]

    @Option(help: "Where the benchmark's run directories (with their fsync'd journals) go; a tmpfs such as /dev/shm measures the runner without the disk.")
    var directory = FileManager.default.temporaryDirectory.path

    @Flag(help: "One JSON object per line: workers, jobs_per_s, rtt_ms (and fsync_ms, the reference).")
    var json = false

    static let rayJobsPerSecond = 1950.0, rayRoundTripMilliseconds = 1.5

    func run() async throws {
        guard jobs > 0, workers.allSatisfy({ $0 > 0 }) else { throw ValidationError("--jobs and --workers must be positive") }
        // Each job commits the journal once (fdatasync), so the file system bounds what the
        // runner can do; measure it here, in the same run, as the reference.
        let fsync = try DiskProbe.fdatasyncLatency(in: URL(fileURLWithPath: directory)) / .milliseconds(1)
        if !json {
            print(String(format: "reference: fdatasync of a journal line in %@ takes %.3f ms (median)", directory, fsync))
        }
        for count in workers {
            let measurement = try await measure(workers: count)
            if json {
                print(String(format: "{\"workers\": %d, \"jobs_per_s\": %.1f, \"rtt_ms\": %.3f, \"fsync_ms\": %.3f}",
                             count, measurement.jobsPerSecond, measurement.roundTripMilliseconds, fsync))
            } else {
                print(String(format: "%d worker(s): %7.0f jobs/s (%.2fx Ray's %.0f/s), round trip %.3f ms (Ray %.1f ms: %.2fx shorter)",
                             count, measurement.jobsPerSecond, measurement.jobsPerSecond / Self.rayJobsPerSecond, Self.rayJobsPerSecond,
                             measurement.roundTripMilliseconds, Self.rayRoundTripMilliseconds, Self.rayRoundTripMilliseconds / measurement.roundTripMilliseconds))
            }
        }
    }

    struct Measurement {
        var jobsPerSecond: Double
        var roundTripMilliseconds: Double
    }

    func measure(workers count: Int) async throws -> Measurement {
        let directory = URL(fileURLWithPath: self.directory).appendingPathComponent("sparseseg-bench-runner-\(getpid())-\(count)")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let specs = (0..<jobs).map { JobSpec(id: String(format: "noop-%06d", $0), method: BenchmarkJobExecutor.noop, fold: 0, seed: $0) }
        let clock = BenchClock(workers: count)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let runner = RunnerSettings.defaults
        let configuration = CoordinatorConfiguration(
            endpoint: "tcp://127.0.0.1:*", runDirectory: directory, heartbeatInterval: .milliseconds(runner.heartbeatMilliseconds),
            liveness: runner.lostAfterHeartbeats, maxAttempts: runner.maxAttempts)
        let coordinator = try Coordinator(configuration: configuration,
                                          jobs: specs, logger: logger, onEvent: { clock.record($0) })
        async let summary = coordinator.run()
        guard let endpoint = coordinator.boundEndpoint() else { _ = try await summary; throw ValidationError("the coordinator did not bind") }
        let local = try LocalWorkers(executable: RunCommand.executable, count: count, endpoint: endpoint,
                                     arguments: ["--log-level", "error", "--give-up-after", "10"], logDirectory: directory.appendingPathComponent("logs"))
        defer { local.stop() }
        let result = try await summary
        guard result.done == jobs else { throw ValidationError("only \(result.done) of \(jobs) no-op jobs finished") }
        return clock.measurement()
    }
}
