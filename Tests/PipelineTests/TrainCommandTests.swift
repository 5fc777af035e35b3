import ChildProcesses
import Foundation
import Runner
import XCTest

/// `sparseseg train` on an existing run directory: it resumes its own experiment, refuses
/// another experiment's directory and a directory a live coordinator serves.
final class TrainCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// A two-step experiment on a tiny phantom.
    private func experiment(_ name: String, epochs: Int) throws -> String {
        let path = directory.appendingPathComponent("\(name).yaml").path
        try """
            name: tiny
            folds: 5
            run_folds: [0]
            dataset: {phantom_cases: 10, image_size: 32}
            training: {epochs: \(epochs), steps_per_epoch: 1, batch_size: 2, channels: [4, 8], encoder_dropout: [0.1, 0.1]}
            methods: [fs-lcs]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func train(_ experiment: String, out: URL) throws -> (Int32, String) {
        try runToCompletion(SmokeRunTests.executable, ["train", experiment, "--method", "fs-lcs", "--fold", "0", "--out", out.path], timeout: .seconds(120))
    }

    func testAnotherExperimentsRunDirectoryIsRefused() throws {
        let run = directory.appendingPathComponent("run")
        let (first, output) = try train(try experiment("a", epochs: 1), out: run)
        XCTAssertEqual(first, 0, output)
        let resolved = try String(contentsOf: run.appendingPathComponent("experiment.resolved.yaml"), encoding: .utf8)

        let (status, message) = try train(try experiment("b", epochs: 2), out: run)
        XCTAssertEqual(status, 1, message)
        XCTAssertTrue(message.contains("experiment.resolved.yaml: this run directory holds another experiment ('epochs: 1' here, 'epochs: 2' in"),
                      message)
        XCTAssertEqual(try String(contentsOf: run.appendingPathComponent("experiment.resolved.yaml"), encoding: .utf8), resolved)

        // The same experiment from another path is the same experiment: it resumes.
        let copy = directory.appendingPathComponent("copy-of-a.yaml").path
        try FileManager.default.copyItem(atPath: directory.appendingPathComponent("a.yaml").path, toPath: copy)
        let (again, againOutput) = try train(copy, out: run)
        XCTAssertEqual(again, 0, againOutput)
    }

    /// A file that cannot be written (here: past `ulimit -f`, as a full disk would refuse it)
    /// ends the job with one line giving the cause, exit 1, no crash and no temporary file.
    func testAWriteErrorNamesItsCauseAndLeavesNoTemporaryFile() throws {
        let run = directory.appendingPathComponent("small")
        let script = "ulimit -f 1000 && trap '' XFSZ && exec \"$0\" \"$@\""
        let (termination, output) = try ChildProcess.run(
            "/bin/sh", ["-c", script, SmokeRunTests.executable.path, "train", try experiment("a", epochs: 1),
                        "--method", "fs-lcs", "--fold", "0", "--out", run.path], timeout: .seconds(120))
        guard case .exited(let status) = termination else { return XCTFail("ended by a signal: \(termination) \(output)") }
        XCTAssertEqual(status, 1, output)
        let lines = output.split(separator: "\n").filter { !$0.hasPrefix("train epoch") }
        XCTAssertEqual(lines.count, 1, output)
        XCTAssertTrue(output.contains("File too large"), output)
        let left = FileManager.default.enumerator(atPath: run.path)?.compactMap { $0 as? String }.filter { $0.contains(".tmp-") } ?? []
        XCTAssertEqual(left, [], "temporary files left behind")
    }

    /// Rerun on a job that completed, `train` used to predict and score again, overwrite
    /// metrics.json (its wall time became that of the rerun) and say "wrote".
    func testACompletedJobIsReportedNotTrainedAgainAndAnInterruptedOneResumes() throws {
        let run = directory.appendingPathComponent("again")
        let yaml = try experiment("a", epochs: 2)
        let (first, firstOutput) = try train(yaml, out: run)
        XCTAssertEqual(first, 0, firstOutput)
        let metrics = run.appendingPathComponent("jobs/fs-lcs/fold0/seed0/metrics.json")
        let stored = try Data(contentsOf: metrics)
        let summary = try XCTUnwrap(firstOutput.split(separator: "\n").first { $0.hasPrefix("fs-lcs/fold0/seed0: mean dice ") }, firstOutput)
        let caseLines = firstOutput.split(separator: "\n").filter { $0.hasPrefix("Case") }
        XCTAssertEqual(caseLines.count, 2, firstOutput)

        let (again, output) = try train(yaml, out: run)
        XCTAssertEqual(again, 0, output)
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init),
                       "fs-lcs/fold0/seed0 was already complete: not training it again (its result, from \(metrics.path); remove \(metrics.deletingLastPathComponent().path) to train it anew)")
        XCTAssertEqual(Array(lines.dropFirst()), caseLines + [summary], "the stored result, as the first run printed it")
        XCTAssertFalse(output.contains("wrote") || output.contains("train epoch"), output)
        XCTAssertEqual(try Data(contentsOf: metrics), stored, "metrics.json untouched")

        // Without metrics.json the job is not complete (it stopped before scoring): it resumes
        // from its checkpoints, with no step trained twice.
        try FileManager.default.removeItem(at: metrics)
        let (resumed, resumedOutput) = try train(yaml, out: run)
        XCTAssertEqual(resumed, 0, resumedOutput)
        XCTAssertTrue(resumedOutput.contains("wrote \(metrics.deletingLastPathComponent().path)"), resumedOutput)
        XCTAssertFalse(resumedOutput.contains("train epoch"), "nothing left to train: \(resumedOutput)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: metrics.path))
    }

    /// jobs.json listed "fs-lcs\/fold0\/seed0": JSON escaped the slashes of job ids.
    func testTheRunFilesWriteSlashesInJobIdsPlainly() throws {
        let run = directory.appendingPathComponent("slashes")
        let (status, output) = try train(try experiment("a", epochs: 1), out: run)
        XCTAssertEqual(status, 0, output)
        let jobs = try String(contentsOf: run.appendingPathComponent("jobs.json"), encoding: .utf8)
        XCTAssertTrue(jobs.contains("\"fs-lcs/fold0/seed0\""), jobs)
        for name in ["jobs.json", "folds.json", "jobs/fs-lcs/fold0/seed0/metrics.json", "jobs/fs-lcs/fold0/seed0/checkpoints/state.json"] {
            let text = try String(contentsOf: run.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.contains("\\/"), "\(name): \(text)")
        }
    }

    func testARunDirectoryServedByACoordinatorIsRefused() throws {
        let run = directory.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let (journal, _) = try Journal.open(at: run.appendingPathComponent("journal.jsonl"))
        let (status, message) = try train(try experiment("a", epochs: 1), out: run)
        XCTAssertEqual(status, 1, message)
        XCTAssertTrue(message.contains("journal.jsonl: in use: a coordinator is running on this run directory"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("jobs").path), "nothing was written")
        withExtendedLifetime(journal) {}
    }
}
