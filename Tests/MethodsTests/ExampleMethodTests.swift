import Datasets
import Experiments
import Foundation
import HDF5
import Methods
import Reports
import XCTest

/// docs/adding-a-method.md's example: a method defined outside the module, registered in a
/// registry of its own and run through the same job path as the real methods, whose run
/// directory the report reads.
struct IntensityThreshold: SegmentationMethod {
    static let registration = MethodRegistration(
        name: "intensity-threshold", summary: "foreground where the intensity is nearer the central slices' foreground mean",
        relativeCost: 0.01,
        schema: SettingsSchema(name: "method intensity-threshold", [sharpness]), make: { IntensityThreshold() })

    static let sharpness = Setting<Double>("sharpness", 0.1...1000, default: 20, help: "slope of the logistic around the threshold")

    struct Predictor: SlicePredictor {
        let threshold: Float, sharpness: Float, brighter: Bool
        func foregroundProbabilities(_ slices: [[Float]], size: SliceSize) -> [[Float]] {
            slices.map { $0.map { v in 1 / (1 + exp(-sharpness * (brighter ? v - threshold : threshold - v))) } }
        }
    }

    func train(_ context: MethodContext) throws -> TrainedMethod {
        var sums: [Double] = [0, 0], counts: [Double] = [0, 0]
        for (image, mask) in context.view.labelledSlices {
            for (v, m) in zip(image, mask) {
                sums[Int(m)] += Double(v)
                counts[Int(m)] += 1
            }
        }
        let means = (0...1).map { sums[$0] / max(counts[$0], 1) }
        return TrainedMethod(predictor: Predictor(threshold: Float((means[0] + means[1]) / 2), sharpness: Float(context.settings[Self.sharpness]),
                                                  brighter: means[1] > means[0]))
    }
}

final class ExampleMethodTests: XCTestCase {
    func testARegisteredExampleMethodRunsThroughTheJobPathAndTheReportReadsIt() throws {
        let registry = MethodRegistry(registrations: MethodRegistry.standard.registrations + [IntensityThreshold.registration])
        let experiment = try Tiny.experiment(["intensity-threshold", "ours"], registry: registry, budget: .twoSteps)
        let run = Tiny.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: run) }
        let jobs = try RunSetup.prepare(experiment: experiment, dataset: Tiny.dataset, registry: registry, runDirectory: run)
        XCTAssertEqual(jobs.map(\.id), ["intensity-threshold/fold0/seed7", "ours/fold0/seed7"])
        for job in jobs {
            let outcome = try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: run, registry: registry, worker: "test")
            XCTAssertEqual(outcome.cases.map(\.caseID), Tiny.split.testIDs(0))
            XCTAssertTrue(outcome.cases.allSatisfy { (0...1).contains($0.metrics.dice) })
        }
        let directory = JobRunner.directory(runDirectory: run, method: "intensity-threshold", fold: 0, seed: Tiny.seed)
        for name in ["metrics.json", "cases.csv", "figure_slices.h5", "predictions/\(Tiny.split.testIDs(0)[0]).nii.gz"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), name)
        }
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("metrics.json"))) as! [String: Any]
        XCTAssertEqual(metrics["method"] as? String, "intensity-threshold")
        XCTAssertEqual(metrics["status"] as? String, "completed")
        XCTAssertEqual(metrics["label_access"] as? String, "central-slices")
        let rows = metrics["cases"] as! [[String: Any]]
        XCTAssertEqual(Set(rows[0].keys), ["case", "site", "dice", "iou", "assd", "assd_pooled", "ravd", "ravd_abs", "hd95", "dice_gland_slices", "fp_ml_gland_free", "flags"])

        // Figure slices: the representative slice is the largest reference area, lowest z on ties.
        let file = try HDF5File.open(directory.appendingPathComponent("figure_slices.h5").path)
        let test = try Tiny.dataset.testCases(fold: 0, of: Tiny.split)[0]
        let group = try file.root.group(test.info.id)
        let z: Int = try group.attribute("slice")
        let areas = test.storedReference.slices.map { $0.filter { $0 != 0 }.count }
        XCTAssertEqual(z, areas.firstIndex(of: areas.max()!))
        XCTAssertEqual(try group.read("reference", as: UInt8.self).values, test.storedReference.slice(z))

        // Ours wrote its pseudo-label sets and their diagnostics.
        let ours = JobRunner.directory(runDirectory: run, method: "ours", fold: 0, seed: Tiny.seed)
        let trainingCase = Tiny.split.trainingIDs(0)[0]
        for name in ["y_semi.h5", "y_ssl.h5", "y_final.h5", "pseudo_labels.json", "checkpoints/registration.h5", "checkpoints/semi-self.h5", "checkpoints/final.h5",
                     "pseudo_labels/y_semi/\(trainingCase).nii.gz", "pseudo_labels/y_final/\(trainingCase).nii.gz"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: ours.appendingPathComponent(name).path), name)
        }

        let report = try Report.generate(runDirectory: run)
        XCTAssertTrue(report.isComplete, "\(report.problems)")
        XCTAssertEqual(report.completedJobs, 2)
        let table = try String(contentsOf: run.appendingPathComponent("table.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("intensity-threshold"))
        XCTAssertTrue(table.contains("y_SEMI"), "the pseudo-label section is missing")
    }

    func testUnknownMethodsAndFoldsAreClearErrors() throws {
        let experiment = try Tiny.experiment(["fs-lcs"], budget: .twoSteps)
        XCTAssertThrowsError(try RunSetup.job(experiment, method: "nope", fold: 0)) { XCTAssertTrue("\($0)".contains("unknown method 'nope'")) }
        XCTAssertThrowsError(try RunSetup.job(experiment, method: "mt", fold: 0)) { XCTAssertTrue("\($0)".contains("not listed")) }
        XCTAssertThrowsError(try RunSetup.job(experiment, method: "fs-lcs", fold: 3)) { XCTAssertTrue("\($0)".contains("fold 3")) }
    }
}
