import Datasets
import Foundation
@testable import Methods
import XCTest

/// A job stopped after a checkpoint and started again on the same directory ends with the
/// same result as an uninterrupted run.
final class ResumeTests: XCTestCase {
    private func files(_ directory: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in ["losses.csv", "scalars.csv", "validation.csv", TrainingSession.eventFile, "cases.csv", "pseudo_labels.json"] {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { result[name] = try Data(contentsOf: url) }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("predictions").path) {
            result["predictions/" + name] = try Data(contentsOf: directory.appendingPathComponent("predictions/" + name))
        }
        return result
    }

    /// Stops `method`'s job after its `stopAtCheckpoint`-th checkpoint, runs it again and
    /// compares its files with an uninterrupted run's; returns those files.
    @discardableResult
    private func checkResume(_ method: String, stopAtCheckpoint: Int, validationCases: Int = 0) throws -> [String: Data] {
        let job = try Tiny.job(method, validationCases: validationCases)
        let whole = Tiny.temporaryDirectory(method + "whole"), resumed = Tiny.temporaryDirectory(method + "resumed")
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: resumed)
        }
        let reference = try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: whole)

        var checkpoints = 0
        XCTAssertThrowsError(try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: resumed, shouldStop: {
            checkpoints += 1
            return checkpoints == stopAtCheckpoint
        })) { error in XCTAssertTrue(error is JobStopped, "\(error)") }
        let jobDirectory = JobRunner.directory(runDirectory: resumed, method: method, fold: 0, seed: Tiny.seed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: jobDirectory.appendingPathComponent("metrics.json").path))
        var stepsAfterResume = 0
        let outcome = try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: resumed, progress: { _ in stepsAfterResume += 1 })

        XCTAssertEqual(outcome.steps, reference.steps)
        XCTAssertLessThan(stepsAfterResume, reference.steps, "the second run started from the beginning")
        XCTAssertEqual(outcome.cases.map(\.metrics), reference.cases.map(\.metrics))
        let expected = try files(JobRunner.directory(runDirectory: whole, method: method, fold: 0, seed: Tiny.seed))
        XCTAssertEqual(try files(jobDirectory), expected)
        XCTAssertGreaterThan(expected.count, 2)
        XCTAssertNotNil(expected["scalars.csv"])
        XCTAssertNotNil(expected[TrainingSession.eventFile])
        return expected
    }

    func testFSLCSResumesToTheSameResult() throws { try checkResume("fs-lcs", stopAtCheckpoint: 1) }

    func testMeanTeacherResumesToTheSameResult() throws { try checkResume("mt", stopAtCheckpoint: 1) }

    /// Stopped inside the final network's training, after the pseudo-labels were built.
    func testOursResumesInItsLastStage() throws { try checkResume("ours", stopAtCheckpoint: 1) }

    /// With held-out cases, validation.csv resumes too: a row per epoch of every phase that
    /// trains a segmentation network (not Ours' registration stage).
    func testOursWithValidationResumesToTheSameCurves() throws {
        let files = try checkResume("ours", stopAtCheckpoint: 2, validationCases: 2)
        let validation = String(decoding: try XCTUnwrap(files["validation.csv"]), as: UTF8.self)
        let phases = validation.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        XCTAssertEqual(phases, ["semi-warmup", "semi-self", "final", "final", "final"], validation)
    }
}
