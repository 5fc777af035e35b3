import Datasets
import Foundation
@testable import Methods
import XCTest

/// The label firewall: a method's training sees the central-slice masks only, except
/// fs-dense, which holds the one named capability to read every training mask.
final class LabelFirewallTests: XCTestCase {
    func testOnlyFSDenseIsRegisteredWithAllTrainingMasks() {
        let privileged = MethodRegistry.standard.registrations.filter { $0.labelAccess == .allTrainingMasks }.map(\.name)
        XCTAssertEqual(privileged, ["fs-dense"])
    }

    func testAContextWithoutTheCapabilityRefusesTheMasks() throws {
        let directory = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try TrainingSession(directory: directory, checkpointEvery: 1, random: .init(seed: 1), progress: { _ in }, shouldStop: { false })
        let context = MethodContext(method: "mt", view: try Tiny.dataset.trainingView(fold: 0, of: Tiny.split),
                                    training: try TrainingSettings(TrainingSettings.schema.defaults), settings: MeanTeacher.registration.schema.defaults,
                                    random: .init(seed: 1), session: session, allMasks: nil)
        XCTAssertThrowsError(try context.allTrainingMasks()) { error in
            XCTAssertTrue(error is LabelFirewallError, "\(error)")
            XCTAssertTrue("\(error)".contains("all-training-masks"), "\(error)")
        }
        // And fs-dense itself fails without the capability, rather than training on less.
        XCTAssertThrowsError(try FSDense().train(context))
    }

    /// The fold-0 training cases with every mask but the central slice's erased.
    private func datasetWithHiddenMasksErased() throws -> Dataset {
        let training = Set(Tiny.split.trainingIDs(0))
        let cases = Tiny.cases.map { item -> StoredCase in
            guard training.contains(item.id) else { return item }
            var copy = item
            let central = item.info(rule: .volumeMiddle).centralSlice
            let plane = item.label.shape.ny * item.label.shape.nx
            for i in copy.label.voxels.indices where i / plane != central { copy.label.voxels[i] = 0 }
            return copy
        }
        return Dataset(cases: cases, source: "phantom")
    }

    /// Every method, trained on the dataset and on a copy whose hidden training masks are
    /// erased: the central-slice methods predict bit-identically, so their training never
    /// read a hidden mask; fs-dense predicts differently, so the check can fail.
    func testTrainingOfEveryMethodSeesOnlyCentralSliceLabels() throws {
        let erased = try datasetWithHiddenMasksErased()
        let test = try Tiny.dataset.testCases(fold: 0, of: Tiny.split)
        let size = SliceSize(ny: 32, nx: 32)
        for method in MethodRegistry.standard.methodNames {
            let a = Tiny.temporaryDirectory(method + "a"), b = Tiny.temporaryDirectory(method + "b")
            defer {
                try? FileManager.default.removeItem(at: a)
                try? FileManager.default.removeItem(at: b)
            }
            let original = try Tiny.train(method, directory: a, budget: .twoSteps).predictor
            let blind = try Tiny.train(method, dataset: erased, directory: b, budget: .twoSteps).predictor
            let same = test.allSatisfy { original.foregroundProbabilities($0.images, size: size) == blind.foregroundProbabilities($0.images, size: size) }
            if method == "fs-dense" {
                XCTAssertFalse(same, "fs-dense should depend on the hidden masks it is allowed to read")
            } else {
                XCTAssertTrue(same, "\(method)'s predictions depend on training masks other than the central slice's")
            }
        }
    }
}
