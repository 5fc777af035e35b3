import ChildProcesses
import Foundation
import Jobs
import XCTest
@testable import Runner

/// The runner's commands as a user runs them: `sparseseg run`, `keys generate`, the
/// coordinator's refusals of unsafe or bad input, and the shipped worker's refusal of test jobs.
final class CommandLineTests: XCTestCase {
    func testRunStartsLocalWorkersPrintsPlainLinesAndWritesTheResults() throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1, settings: ["x": 1]),
                                         JobSpec(id: "b", method: "test.sleep", fold: 1, seed: 2, settings: ["seconds": 0.2], expectedCost: 2)])
        let run = try harness.start(["run", harness.jobsFile.path, "--workers", "2", "--out", harness.runDirectory.path, "--heartbeat-ms", "100"], log: "run")
        XCTAssertEqual(harness.exitStatus(run, timeout: 30), 0, harness.log("run"))
        let output = harness.log("run")
        XCTAssertTrue(output.contains("b attempt 1 -> "), output)
        XCTAssertNotNil(output.range(of: #"\na done in [0-9.]+ s \(1 row\)\n"#, options: .regularExpression), "one row, not '1 rows': \(output)")
        XCTAssertTrue(output.contains("run finished: 2 done, 0 failed"), output)
        XCTAssertFalse(output.contains("\u{1B}["), "no terminal codes when the output is not a terminal")
        XCTAssertEqual(harness.results.map(\.job).sorted(), ["a", "b"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.runDirectory.appendingPathComponent("logs/worker-2.log").path))
    }

    /// Job ids name directories ("mt/fold0/seed1"): JSON escaped their slashes ("mt\/fold0")
    /// in every file the runner writes, which grep and people then missed.
    func testTheRunnersFilesWriteSlashesInJobIdsPlainly() throws {
        let harness = try Harness(jobs: [JobSpec(id: "echo/one", method: "test.echo", fold: 0, seed: 1, settings: ["path": "jobs/echo/one"])])
        let run = try harness.start(["run", harness.jobsFile.path, "--workers", "1", "--out", harness.runDirectory.path, "--heartbeat-ms", "100"], log: "run")
        XCTAssertEqual(harness.exitStatus(run, timeout: 30), 0, harness.log("run"))
        for name in ["journal.jsonl", "results.jsonl"] {
            let text = try String(contentsOf: harness.runDirectory.appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(text.contains("\"echo/one\""), "\(name): \(text)")
            XCTAssertFalse(text.contains("\\/"), "\(name): \(text)")
        }
        XCTAssertFalse(String(decoding: try JobsFile.encode([JobSpec(id: "a/b", method: "test.echo", fold: 0, seed: 1)]), as: UTF8.self).contains("\\/"))
    }

    /// The shipped worker obeyed the test jobs, `test.crash` included, from any coordinator
    /// (issue 18). Now the shipped `sparseseg` fails a test job, naming its method, and still runs
    /// the benchmark's job; `sparseseg-testing`, the same command line, runs both.
    func testTheShippedBinaryRefusesTestJobsWhichTheTestingBinaryRuns() throws {
        let jobs = [JobSpec(id: "echo", method: "test.echo", fold: 0, seed: 1, settings: ["x": 1]),
                    JobSpec(id: "noop", method: "bench.noop", fold: 0, seed: 2)]
        let shipped = try Harness(jobs: jobs, executable: Harness.shippedExecutable)
        let refused = try shipped.start(["run", shipped.jobsFile.path, "--workers", "1", "--out", shipped.runDirectory.path,
                                         "--heartbeat-ms", "100", "--max-attempts", "1"], log: "run")
        XCTAssertEqual(shipped.exitStatus(refused, timeout: 30), 2, "a failed job makes exit status 2: \(shipped.log("run"))")
        let output = shipped.log("run")
        XCTAssertNotNil(output.range(of: #"echo attempt 1 FAILED: worker \S+ has no executor for method test\.echo"#, options: .regularExpression), output)
        XCTAssertTrue(output.contains("run finished: 1 done, 1 failed"), output)
        XCTAssertEqual(shipped.results.map(\.job), ["noop"])
        XCTAssertEqual(shipped.completions("echo"), [], "the test job never ran")

        let testing = try Harness(jobs: jobs)
        let run = try testing.start(["run", testing.jobsFile.path, "--workers", "1", "--out", testing.runDirectory.path,
                                     "--heartbeat-ms", "100", "--max-attempts", "1"], log: "run")
        XCTAssertEqual(testing.exitStatus(run, timeout: 30), 0, testing.log("run"))
        XCTAssertEqual(testing.results.map(\.job).sorted(), ["echo", "noop"])
        XCTAssertEqual(testing.completions("echo").count, 1)
    }

    /// A job that kills its worker, with one worker: before the run replaced dead workers it
    /// waited for ever. Now each death starts a new worker, the job fails after its attempts
    /// and the other jobs still run.
    func testRunReplacesWorkersThatDieAndFinishesWithTheOtherJobs() throws {
        let harness = try Harness(jobs: [JobSpec(id: "crash", method: "test.crash", fold: 0, seed: 1, settings: [:], expectedCost: 9),
                                         JobSpec(id: "a", method: "test.echo", fold: 0, seed: 2, settings: ["x": 1]),
                                         JobSpec(id: "b", method: "test.echo", fold: 1, seed: 3, settings: ["x": 2])])
        let run = try harness.start(["run", harness.jobsFile.path, "--workers", "1", "--out", harness.runDirectory.path,
                                     "--heartbeat-ms", "100", "--max-attempts", "2"], log: "run")
        XCTAssertEqual(harness.exitStatus(run, timeout: 60), 2, "a failed job makes exit status 2: \(harness.log("run"))")
        let output = harness.log("run")
        XCTAssertTrue(output.contains("worker 1 exited; started a new one (1 of at most 2)"), output)
        XCTAssertTrue(output.contains("crash attempt 2 FAILED"), output)
        XCTAssertTrue(output.contains("run finished: 2 done, 1 failed"), output)
        XCTAssertEqual(harness.results.map(\.job).sorted(), ["a", "b"])
    }

    /// On a terminal the live view used to hide the coordinator's endpoint, `sparseseg status`
    /// needed --connect, and Ctrl-C ended the run with status 0.
    func testOnATerminalRunShowsItsEndpointFollowedByStatusOfTheRunDirectoryAndSIGINTExits130() throws {
        let harness = try Harness(jobs: [JobSpec(id: "slow", method: "test.sleep", fold: 0, seed: 1, settings: ["seconds": 60])])
        let endpointFile = harness.runDirectory.appendingPathComponent("endpoint")
        let run = try TerminalProcess(harness.executable.path, ["run", harness.jobsFile.path, "--workers", "1", "--out", harness.runDirectory.path,
                                                                "--heartbeat-ms", "100"])
        XCTAssertTrue(harness.wait(20) { harness.journal.contains { $0.kind == .assigned } }, "the job never started: \(run.output)")
        XCTAssertTrue(run.output.contains("\u{1B}["), "drawn as on a terminal: \(run.output)")
        let endpoint = try XCTUnwrap(try? String(contentsOf: endpointFile, encoding: .utf8)).trimmingCharacters(in: .newlines)
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        XCTAssertTrue(run.output.contains("coordinator listening on \(endpoint)"), run.output)

        let status = try harness.start(["status", harness.runDirectory.path], log: "status")
        XCTAssertEqual(harness.exitStatus(status, timeout: 10), 0, harness.log("status"))
        XCTAssertTrue(harness.log("status").contains("0/1 done, 1 running"), harness.log("status"))

        kill(run.pid, SIGINT)
        XCTAssertEqual(run.wait(timeout: 20), 130, run.output)
        XCTAssertTrue(run.output.contains("stopped by SIGINT: 0 done so far (kept in the journal); run the same command again to resume"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: endpointFile.path), "the coordinator removes its endpoint when it stops")
        XCTAssertFalse(harness.journal.contains { $0.kind == .done })

        let after = try harness.start(["status", harness.runDirectory.path], log: "status-after")
        XCTAssertEqual(harness.exitStatus(after, timeout: 10), 1, harness.log("status-after"))
        XCTAssertEqual(harness.log("status-after").split(separator: "\n"),
                       ["Error: \(harness.runDirectory.path): no coordinator is running on this run directory (it has no endpoint file); start one with `sparseseg run` or `sparseseg coordinator`"])
    }

    /// SIGTERM (a scheduler's or `kill`'s) stops the run as cleanly as Ctrl-C, with status 143.
    func testSIGTERMStopsARunWithStatus143() throws {
        let harness = try Harness(jobs: [JobSpec(id: "slow", method: "test.sleep", fold: 0, seed: 1, settings: ["seconds": 60])])
        let run = try harness.start(["run", harness.jobsFile.path, "--workers", "1", "--out", harness.runDirectory.path, "--heartbeat-ms", "100"],
                                    log: "run")
        XCTAssertTrue(harness.wait(20) { harness.journal.contains { $0.kind == .assigned } }, harness.log("run"))
        run.terminate()
        XCTAssertEqual(harness.exitStatus(run, timeout: 20), 143, harness.log("run"))
        XCTAssertTrue(harness.log("run").contains("stopped by SIGTERM: 0 done so far"), harness.log("run"))
        XCTAssertEqual(harness.journal.filter { $0.kind == .assigned }.count, 1, "the journal keeps the run as it stood")
    }

    /// `--log-level verbose` was accepted and logged at info: only swift-log's levels are
    /// accepted, by every command that has the flag.
    func testAnUnknownLogLevelIsAUsageErrorNamingTheFlagAndTheLevels() throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1)])
        let expected = "Error: --log-level must be one of trace, debug, info, notice, warning, error, critical; given 'verbose'"
        let commands: [(String, [String])] = [
            ("run", ["run", harness.jobsFile.path, "--out", harness.runDirectory.path]),
            ("coordinator", ["coordinator", harness.jobsFile.path, "--bind", harness.endpoint, "--out", harness.runDirectory.path]),
            ("worker", ["worker", "--connect", harness.endpoint, "--give-up-after", "1"]),
        ]
        for (name, arguments) in commands {
            let process = try harness.start(arguments + ["--log-level", "verbose"], log: name)
            XCTAssertEqual(harness.exitStatus(process, timeout: 10), 64, harness.log(name))
            XCTAssertEqual(harness.log(name).split(separator: "\n").first.map(String.init), expected, harness.log(name))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.runDirectory.path), "nothing started")
    }

    func testKeysGenerateWritesKeypairsAndRefusesToOverwrite() throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1)])
        let keys = harness.directory.appendingPathComponent("keys")
        XCTAssertEqual(harness.exitStatus(try harness.start(["keys", "generate", keys.path, "--name", "coordinator", "--name", "node1"], log: "keys"), timeout: 10), 0)
        XCTAssertNoThrow(try KeyFiles.loadKeyPair(keys.appendingPathComponent("node1.key")))
        XCTAssertEqual(try AuthorizedKeys.load(keys.appendingPathComponent("authorized_keys")).names.values.sorted(), ["node1"])
        XCTAssertNotEqual(harness.exitStatus(try harness.start(["keys", "generate", keys.path, "--name", "node1"], log: "keys-again"), timeout: 10), 0)
        XCTAssertTrue(harness.log("keys-again").contains("refusing to overwrite"), harness.log("keys-again"))
    }

    func testTheCoordinatorRefusesANetworkBindWithoutKeys() throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1)])
        let coordinator = try harness.start(["coordinator", harness.jobsFile.path, "--bind", "tcp://0.0.0.0:\(harness.port)", "--out", harness.runDirectory.path],
                                            log: "coordinator")
        XCTAssertNotEqual(harness.exitStatus(coordinator, timeout: 10), 0)
        XCTAssertTrue(harness.log("coordinator").contains("--keys"), harness.log("coordinator"))
    }

    func testTheCoordinatorRefusesSettingsNamingPathsOutsideTheRun() throws {
        let harness = try Harness(jobs: [JobSpec(id: "sneaky", method: "test.echo", fold: 0, seed: 1, settings: ["output": "/etc/cron.d/x"])])
        let coordinator = try harness.startCoordinator()
        XCTAssertNotEqual(harness.exitStatus(coordinator, timeout: 10), 0)
        XCTAssertTrue(harness.log("coordinator").contains("sneaky: setting output"), harness.log("coordinator"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.runDirectory.appendingPathComponent("journal.jsonl").path), "nothing written")
    }
}

/// cluster/ssh/launch.sh and stop.sh, with `ssh` and `scp` replaced by local stand-ins that
/// give each "host" its own home directory: the scripts' key distribution, worker start-up
/// over CURVE on a non-loopback bind, and shutdown.
final class SSHLaunchTests: XCTestCase {
    func testLaunchRunsAWholeRunOnTheHostsOfAHostFile() throws {
        let harness = try Harness(jobs: (0..<4).map { JobSpec(id: "j\($0)", method: "test.sleep", fold: 0, seed: $0, settings: ["seconds": 0.1]) })
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bin = harness.directory.appendingPathComponent("bin"), homes = harness.directory.appendingPathComponent("homes")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Data("""
            #!/bin/sh
            [ "$1" = "-n" ] && shift
            HOST=$1; shift
            mkdir -p "\(homes.path)/$HOST" && cd "\(homes.path)/$HOST" && HOME="\(homes.path)/$HOST" sh -c "$*"

            """.utf8).write(to: bin.appendingPathComponent("ssh"))
        try Data("""
            #!/bin/sh
            [ "$1" = "-q" ] && shift
            n=$#; i=1; files=""
            for a in "$@"; do if [ $i -lt $n ]; then files="$files $a"; else dest=$a; fi; i=$((i+1)); done
            mkdir -p "\(homes.path)/${dest%%:*}/${dest#*:}" && cp $files "\(homes.path)/${dest%%:*}/${dest#*:}"

            """.utf8).write(to: bin.appendingPathComponent("scp"))
        for tool in ["ssh", "scp"] { chmod(bin.appendingPathComponent(tool).path, 0o755) }
        try Data("# workers\nnode1 2 1\nnode2\n".utf8).write(to: harness.directory.appendingPathComponent("hosts"))
        XCTAssertEqual(harness.exitStatus(try harness.start(["keys", "generate", harness.directory.appendingPathComponent("keys").path], log: "keys"), timeout: 10), 0)

        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["SPARSESEG"] = harness.executable.path
        environment["COORDINATOR_HOST"] = "127.0.0.1"
        let (termination, text) = try ChildProcess.run(
            "/bin/sh", [root.appendingPathComponent("cluster/ssh/launch.sh").path, harness.jobsFile.path, harness.runDirectory.path, "hosts", "\(harness.port)"],
            environment: environment, directory: harness.directory.path, timeout: .seconds(120))
        XCTAssertEqual(termination, .exited(0), text)
        XCTAssertTrue(text.contains("started 2 worker(s) on node1") && text.contains("run finished: 4 done"), text)
        XCTAssertEqual(harness.results.count, 4)
        let coordinatorLog = (try? String(contentsOf: harness.runDirectory.appendingPathComponent("logs/coordinator.log"), encoding: .utf8)) ?? ""
        XCTAssertTrue(coordinatorLog.contains("(CURVE)"), coordinatorLog)
        XCTAssertEqual(coordinatorLog.components(separatedBy: "admitted worker").count - 1, 3, coordinatorLog)
        XCTAssertTrue(FileManager.default.fileExists(atPath: homes.appendingPathComponent("node2/.sparseseg-keys/worker.key").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: homes.appendingPathComponent("node2/.sparseseg-keys/coordinator.key").path),
                       "the coordinator's secret key stays home")
    }
}
