import Foundation
import XCTest

/// The Slurm launch scripts against a real single-node Slurm (cluster/slurm/test-local.sh):
/// the smoke experiment with its workers as a job array, one worker killed with SIGKILL
/// mid-run, every job counted once.
final class SlurmLaunchTests: XCTestCase {
    func testSmokeRunOnSlurmSurvivesAKilledWorker() throws {
        // munged and the Slurm daemons are started by the script, as root (CI runs as root).
        guard getuid() == 0 else { throw XCTSkip("needs root to start munge and Slurm: the Slurm launch test did not run") }
        let script = SmokeRunTests.repository.appendingPathComponent("cluster/slurm/test-local.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, SmokeRunTests.executable.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("slurm test passed: 20 jobs, each counted once"), text)
    }
}
