import Datasets
import Experiments
import Foundation
@testable import Methods
import XCTest

/// Pseudo-labels written as NIfTI beside the predictions: the method's own masks, on each
/// training case's stored grid.
final class PseudoLabelFilesTests: XCTestCase {
    /// A method whose pseudo-labels are known without training: y_semi fills every unlabelled
    /// slice, y_ssl leaves them empty, y_final marks one pixel per slice; every set keeps the
    /// central slice's manual mask, as Ours does.
    struct KnownPseudoLabels: SegmentationMethod {
        static let registration = MethodRegistration(
            name: "known-pseudo-labels", summary: "pseudo-labels fixed in advance", relativeCost: 0.01,
            schema: SettingsSchema(name: "method known-pseudo-labels", []), make: { KnownPseudoLabels() })

        struct Predictor: SlicePredictor {
            func foregroundProbabilities(_ slices: [[Float]], size: SliceSize) -> [[Float]] { slices.map { $0.map { _ in 0 } } }
        }

        static func masks(_ view: TrainingView, fill: (Int) -> UInt8) -> [[[UInt8]]] {
            view.cases.map { item in
                item.images.indices.map { z in
                    z == item.label.sliceIndex ? item.label.mask : (0..<item.sliceSize.ny * item.sliceSize.nx).map(fill)
                }
            }
        }

        func train(_ context: MethodContext) throws -> TrainedMethod {
            let view = context.view
            let sets = PseudoLabelSets(caseIDs: view.cases.map(\.info.id), centralSlices: view.cases.map(\.label.sliceIndex),
                                       semi: Self.masks(view) { _ in 1 }, ssl: Self.masks(view) { _ in 0 }, final: Self.masks(view) { $0 == 0 ? 1 : 0 })
            return TrainedMethod(predictor: Predictor(), pseudoLabels: sets)
        }
    }

    func testEachSetIsWrittenAsTheMethodMadeItOnTheCaseGrid() throws {
        let registry = MethodRegistry(registrations: MethodRegistry.standard.registrations + [KnownPseudoLabels.registration])
        let job = try Tiny.job("known-pseudo-labels", registry: registry, budget: .twoSteps)
        let run = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        _ = try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: run, registry: registry, worker: "test")
        let directory = JobRunner.directory(runDirectory: run, method: "known-pseudo-labels", fold: 0, seed: Tiny.seed)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("predictions").path), "beside the predictions")

        let view = try Tiny.dataset.trainingView(fold: 0, of: Tiny.split)
        let expected: [String: [[[UInt8]]]] = [
            "y_semi": KnownPseudoLabels.masks(view) { _ in 1 }, "y_ssl": KnownPseudoLabels.masks(view) { _ in 0 },
            "y_final": KnownPseudoLabels.masks(view) { $0 == 0 ? 1 : 0 },
        ]
        let folder = directory.appendingPathComponent("pseudo_labels")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["y_final", "y_semi", "y_ssl"])
        for (name, masks) in expected {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(name).path).sorted(),
                           view.cases.map { "\($0.info.id).nii.gz" }.sorted())
            for (c, item) in view.cases.enumerated() {
                let read = try NIfTI.read(folder.appendingPathComponent("\(name)/\(item.info.id).nii.gz").path)
                let context = "\(name)/\(item.info.id)"
                // The method's masks, not the hidden truth: y_semi is all foreground off the
                // central slice, which no phantom mask is.
                XCTAssertEqual(read.values, masks[c].flatMap { $0 }.map(Double.init), context)
                XCTAssertEqual(read.elementType, .uint8, context)
                let grid = try XCTUnwrap(Tiny.cases.first { $0.id == item.info.id }).image
                XCTAssertEqual(read.size, [grid.shape.nx, grid.shape.ny, grid.shape.nz], context)
                for (a, b) in zip(read.spacing + read.origin + read.direction, grid.spacing.xyz + grid.orientation.origin + grid.orientation.direction) {
                    XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), context)
                }
            }
        }
    }
}
