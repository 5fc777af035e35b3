import Datasets
import Experiments
import Foundation
@testable import Methods
import XCTest

/// `training.validation_cases`: training cases of the fold held out and scored on their central
/// slices after every epoch, behind the same label firewall as training.
final class ValidationTests: XCTestCase {
    /// Every value reachable from `value` by reflection, for looking for types that must not be there.
    private func reachable(_ value: Any) -> [Any] {
        var found: [Any] = [value], queue: [Any] = [value]
        while let next = queue.popLast() {
            for child in Mirror(reflecting: next).children {
                found.append(child.value)
                queue.append(child.value)
            }
        }
        return found
    }

    func testTheHeldOutSetHoldsOnlyCentralSlicesOfTrainingCasesOfTheFold() throws {
        let view = try Tiny.dataset.trainingView(fold: 0, of: Tiny.split)
        let (training, validation) = view.holdingOut(3, seed: Tiny.split.seed)
        let held = validation.slices.map(\.caseID)
        XCTAssertEqual(held.count, 3)
        XCTAssertTrue(Set(held).isSubset(of: Tiny.split.trainingIDs(0)))
        XCTAssertTrue(Set(held).isDisjoint(with: Tiny.split.testIDs(0)), "a test case reached validation")
        XCTAssertEqual(Set(training.cases.map(\.info.id)), Set(Tiny.split.trainingIDs(0)).subtracting(held))
        XCTAssertEqual(held, Tiny.split.trainingIDs(0).filter(Set(held).contains), "dataset order")
        for slice in validation.slices {
            let stored = try XCTUnwrap(Tiny.cases.first { $0.id == slice.caseID })
            let central = stored.info(rule: .volumeMiddle).centralSlice
            XCTAssertEqual(slice.label.sliceIndex, central)
            XCTAssertEqual(slice.label.mask, stored.label.slice(central))
            XCTAssertEqual(slice.image, stored.image.slices[central])
        }
        // Nothing in the set is a whole mask, a hidden label or a test case.
        for value in reachable(validation) {
            XCTAssertFalse(value is LabelVolume || value is HiddenLabels || value is TestCase || value is TrainingCase, "\(type(of: value))")
        }
        // Deterministic, and another seed may choose other cases.
        XCTAssertEqual(view.holdingOut(3, seed: Tiny.split.seed).validation.slices.map(\.caseID), held)
        let others = (1...8).map { view.holdingOut(3, seed: UInt64($0)).validation.slices.map(\.caseID) }
        XCTAssertTrue(others.contains { $0 != held })
    }

    /// The job's validation.csv is the same when every mask but the held-out central slices'
    /// is changed (training cases' other slices, all of the test cases'), and differs when a
    /// held-out central mask changes: validation reads those masks and no others.
    func testValidationReadsTheHeldOutCentralMasksAndNoOther() throws {
        let held = Set(try Tiny.dataset.trainingView(fold: 0, of: Tiny.split).holdingOut(2, seed: Tiny.split.seed).validation.slices.map(\.caseID))
        let tests = Set(Tiny.split.testIDs(0))
        func altered(_ change: (StoredCase, Int, Int) -> Bool) -> Dataset {
            Dataset(cases: Tiny.cases.map { item in
                var copy = item
                let central = item.info(rule: .volumeMiddle).centralSlice
                let plane = item.label.shape.ny * item.label.shape.nx
                for i in copy.label.voxels.indices where change(item, i / plane, central) { copy.label.voxels[i] = 1 - min(copy.label.voxels[i], 1) }
                return copy
            }, source: "phantom")
        }
        let others = altered { item, z, central in tests.contains(item.id) || z != central }
        let heldCentral = altered { item, z, central in held.contains(item.id) && z == central }
        func validation(_ dataset: Dataset) throws -> String {
            let directory = Tiny.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let job = try Tiny.job("fs-lcs", budget: .twoSteps, validationCases: 2)
            _ = try JobRunner.run(job: job, dataset: dataset, split: Tiny.split, runDirectory: directory)
            let url = JobRunner.directory(runDirectory: directory, method: "fs-lcs", fold: 0, seed: Tiny.seed).appendingPathComponent("validation.csv")
            return try String(contentsOf: url, encoding: .utf8)
        }
        let reference = try validation(Tiny.dataset)
        XCTAssertEqual(reference.split(separator: "\n").first, "phase,epoch,global_step,val_dice,val_cases")
        XCTAssertTrue(reference.hasPrefix("phase,epoch,global_step,val_dice,val_cases\ntrain,1,2,"), reference)
        XCTAssertTrue(reference.hasSuffix(",2\n"), reference)
        XCTAssertEqual(try validation(others), reference)
        XCTAssertNotEqual(try validation(heldCentral), reference)
    }

    func testHoldingOutEveryTrainingCaseNamesTheSetting() throws {
        let job = try Tiny.job("fs-lcs", budget: .twoSteps, validationCases: 8)
        let directory = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: directory)) { error in
            XCTAssertTrue("\(error)".contains("training.validation_cases"), "\(error)")
            XCTAssertTrue("\(error)".contains("at most 7"), "\(error)")
        }
    }

    func testWithoutValidationCasesNoValidationIsWritten() throws {
        let directory = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try JobRunner.run(job: try Tiny.job("fs-lcs", budget: .twoSteps), dataset: Tiny.dataset, split: Tiny.split, runDirectory: directory)
        let job = JobRunner.directory(runDirectory: directory, method: "fs-lcs", fold: 0, seed: Tiny.seed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: job.appendingPathComponent("validation.csv").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: job.appendingPathComponent("scalars.csv").path))
    }
}

/// A run directory made before `training.validation_cases` existed resumes with the new
/// version while the setting is at its default, and is refused once it is not.
final class NewSettingCompatibilityTests: XCTestCase {
    func testARunDirectoryWithoutTheNewSettingIsTheSameExperimentAtItsDefault() throws {
        let directory = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let experiment = try Tiny.experiment(["mt", "ours"])
        let older = experiment.resolvedYAML().split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("validation_cases:") }.joined(separator: "\n")
        XCTAssertFalse(older.contains("validation_cases"))
        try Data(older.utf8).write(to: directory.appendingPathComponent("experiment.resolved.yaml"))
        XCTAssertTrue(try RunSetup.holds(experiment, runDirectory: directory))
        XCTAssertThrowsError(try RunSetup.holds(try Tiny.experiment(["mt", "ours"], validationCases: 1), runDirectory: directory)) { error in
            XCTAssertTrue("\(error)".contains("holds another experiment"), "\(error)")
        }
        // A setting the older file names with another value is still a difference.
        try Data(older.replacingOccurrences(of: "batch_size: 4", with: "batch_size: 5").utf8).write(to: directory.appendingPathComponent("experiment.resolved.yaml"))
        XCTAssertThrowsError(try RunSetup.holds(experiment, runDirectory: directory))
    }
}
