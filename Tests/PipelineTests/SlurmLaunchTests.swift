import Foundation
import SharedTestSupport
import XCTest

/// The Slurm launch scripts against a real single-node Slurm (cluster/slurm/test-local.sh):
/// the smoke experiment on three folds with two workers as a job array; both busy workers
/// killed with SIGKILL twice, so that each element first restarts its worker and then fails
/// and is requeued through Slurm; every job counted once, each killed job rerun.
final class SlurmLaunchTests: XCTestCase {
    func testSmokeRunOnSlurmSurvivesAKilledWorker() throws {
        // The script starts munged and the Slurm daemons as root, directly or through
        // passwordless sudo; with neither it exits with 77, as automake's skipped tests do.
        let script = SmokeRunTests.repository.appendingPathComponent("cluster/slurm/test-local.sh")
        let (status, text) = try runToCompletion(URL(fileURLWithPath: "/bin/bash"), [script.path, SmokeRunTests.executable.path], timeout: .seconds(600))
        if status == 77 { try skipUnlessCI("the Slurm daemons need root or passwordless sudo: \(text)") }
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("slurm test passed: 30 jobs, each counted once, after killing 4 busy workers; both array elements requeued"), text)
    }
}
