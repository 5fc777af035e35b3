import Foundation
import XCTest

/// The whole path, end to end, with real processes: `sparseseg run experiments/smoke.yaml`
/// starts a coordinator and two worker processes that talk over ZeroMQ on loopback, train
/// every method on one fold of a tiny phantom with two seeds, score the test volumes and write
/// the report.
final class SmokeRunTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("sparseseg")

    func testSmokeExperimentRunsEndToEndWithTwoWorkers() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            return XCTFail("\(Self.executable.path) is missing: build with `swift build --build-tests` first")
        }
        let runDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("smoke-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runDirectory) }

        let (status, text) = try runToCompletion(Self.executable, [
            "run", Self.repository.appendingPathComponent("experiments/smoke.yaml").path, "--workers", "2", "--out", runDirectory.path,
        ], timeout: .seconds(300))
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("run finished: 20 done, 0 failed"), text)
        XCTAssertTrue(text.contains("| Ours |") && text.contains("report: \(runDirectory.path)/table.md"), "the run ends with its table: \(text)")

        // Every job once: the methods (with the ablations and the upper bound) on fold 0, seeds 0 and 1.
        let results = try String(contentsOf: runDirectory.appendingPathComponent("results.jsonl"), encoding: .utf8)
        let entries = results.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let jobs = entries.compactMap { $0["job"] as? String }
        XCTAssertEqual(jobs.count, 20)
        XCTAssertEqual(Set(jobs).count, 20)
        XCTAssertEqual(Set(entries.compactMap { $0["seed"] as? Int }), [0, 1])
        XCTAssertTrue(jobs.contains("mt/fold0/seed1"), "\(jobs)")

        // Each result names its job's files relative to the run directory, and they are there.
        for entry in entries {
            let artefacts = entry["artefacts"] as? [String] ?? []
            XCTAssertTrue(artefacts.contains("jobs/\(entry["job"] as? String ?? "?")/metrics.json"), "\(artefacts)")
            for path in artefacts {
                XCTAssertTrue(FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent(path).path), path)
            }
        }

        // The report was made from the jobs' files: the table pools the seeds, cases.csv has one
        // row per method x case x seed.
        let table = try String(contentsOf: runDirectory.appendingPathComponent("table.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("all 20 jobs completed"), table)
        XCTAssertTrue(table.contains("(2 seeds)"), "the spread between seeds is shown: \(table)")
        XCTAssertTrue(table.contains("| FS-LCS |") && table.contains("| Ours |") && table.contains("FS-Dense upper bound"), table)
        let cases = try String(contentsOf: runDirectory.appendingPathComponent("cases.csv"), encoding: .utf8)
        XCTAssertEqual(cases.split(separator: "\n").count, 1 + 10 * 2 * 2)
        for file in ["experiment.resolved.yaml", "folds.json", "table.csv", "figure.png", "jobs/ours/fold0/seed0/pseudo_labels.json",
                     "jobs/mt/fold0/seed1/metrics.json", "jobs/mt/fold0/seed1/scalars.csv", "curves/mt.png", "curves/ours.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent(file).path), file)
        }

        // Curves: every job logged its steps, and validated the two held-out cases each epoch.
        let validation = try String(contentsOf: runDirectory.appendingPathComponent("jobs/mt/fold0/seed0/validation.csv"), encoding: .utf8)
        XCTAssertEqual(validation.split(separator: "\n").count, 1 + 2, validation)
        XCTAssertTrue(validation.hasSuffix(",2\n"), validation)
        let index = try String(contentsOf: runDirectory.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("alt=\"Ours training curves\""))

        // compare reads real run directories: the run against itself pairs every test case of
        // every method with a difference of 0.
        let csv = runDirectory.appendingPathComponent("self-comparison.csv")
        let (compared, json) = try runToCompletion(Self.executable, ["compare", runDirectory.path, runDirectory.path, "--json", "--csv", csv.path],
                                                   timeout: .seconds(60))
        XCTAssertEqual(compared, 0, json)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
        let ours = try XCTUnwrap((document["methods"] as? [String: Any])?["ours"] as? [String: Any], json)
        let dice = try XCTUnwrap(ours["dice"] as? [String: Any], json)
        XCTAssertEqual(dice["pairs"] as? Int, 2, "fold 0 tests 2 of the 10 cases")
        XCTAssertEqual(dice["mean_difference"] as? Double, 0)
        XCTAssertEqual(try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").count, 1 + 10 * 2 * 6)
    }
}
