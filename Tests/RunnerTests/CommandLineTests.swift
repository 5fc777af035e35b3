import Foundation
import XCTest
@testable import Runner

/// The runner's commands as a user runs them: `sparseseg run`, `keys generate`, and the
/// coordinator's refusals of unsafe or bad input.
final class CommandLineTests: XCTestCase {
    func testRunStartsLocalWorkersPrintsPlainLinesAndWritesTheResults() throws {
        let harness = try Harness(jobs: [JobSpec(id: "a", method: "test.echo", fold: 0, seed: 1, settings: ["x": 1]),
                                         JobSpec(id: "b", method: "test.sleep", fold: 1, seed: 2, settings: ["seconds": 0.2], expectedCost: 2)])
        let run = try harness.start(["run", harness.jobsFile.path, "--workers", "2", "--out", harness.runDirectory.path, "--heartbeat-ms", "100"], log: "run")
        XCTAssertEqual(harness.exitStatus(run, timeout: 30), 0, harness.log("run"))
        let output = harness.log("run")
        XCTAssertTrue(output.contains("b attempt 1 -> "), output)
        XCTAssertTrue(output.contains("run finished: 2 done, 0 failed"), output)
        XCTAssertFalse(output.contains("\u{1B}["), "no terminal codes when the output is not a terminal")
        XCTAssertEqual(harness.results.map(\.job).sorted(), ["a", "b"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.runDirectory.appendingPathComponent("logs/worker-2.log").path))
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
