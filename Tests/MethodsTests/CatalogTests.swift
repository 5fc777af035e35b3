import Experiments
import Jobs
import Foundation
@testable import Methods
import XCTest

/// The real catalog: docs/methods.md's defaults, and the experiment files of the repository.
final class CatalogTests: XCTestCase {
    private let registry = MethodRegistry.standard

    func testRegisteredMethodsAreThoseOfTheRunDirectoryContract() {
        XCTAssertEqual(registry.methodNames, ["fs-lcs", "mt", "mt-separate-bn", "mt-no-consistency", "ict", "dct-seg", "ua-mt", "ours", "ours-semi-only", "ours-ssl-only", "ours-union", "fs-dense"])
        func cost(_ name: String) -> Double { registry.registration(name)!.relativeCost }
        XCTAssertEqual(cost("fs-lcs"), 1)
        XCTAssertGreaterThan(cost("dct-seg"), cost("mt"))
    }

    func testDefaultsAreThePaperSchedule() throws {
        let experiment = try Experiment.parse(yaml: "methods: [fs-lcs, mt, ua-mt, ict, dct-seg, ours]", file: "defaults.yaml", catalog: registry)
        let t = try TrainingSettings(experiment.training)
        XCTAssertEqual(t.epochs, 100)
        XCTAssertEqual(t.batchSize, 4)
        XCTAssertEqual(t.optimiser, .adam)
        XCTAssertEqual(t.learningRate, 1e-4)
        XCTAssertEqual(t.schedule, .step)
        XCTAssertEqual(t.stepEveryEpochs, 30)
        XCTAssertEqual(t.stepFactor, 0.5)
        XCTAssertEqual(t.gamma, 1)
        XCTAssertTrue(t.augment)
        XCTAssertEqual(t.channels, [16, 32, 64, 128, 256])
        XCTAssertEqual(t.encoderDropout, [0.05, 0.1, 0.2, 0.3, 0.5])
        let settings = Dictionary(uniqueKeysWithValues: experiment.methods.map { ($0.name, $0.settings) })
        XCTAssertEqual(settings["mt"]?.values["consistency_max"], .number(0.1))
        XCTAssertEqual(settings["mt"]?.values["ema_decay"], .number(0.99))
        XCTAssertEqual(settings["mt"]?.values["consistency_rampup"], .number(200))
        XCTAssertEqual(settings["mt"]?.values["rampup_unit_iterations"], .int(150))
        XCTAssertEqual(settings["ua-mt"]?.values["uncertainty_passes"], .int(8))
        XCTAssertEqual(settings["ict"]?.values["ict_alpha"], .number(0.2))
        XCTAssertEqual(settings["dct-seg"]?.values["cotraining_max"], .number(1))
        XCTAssertEqual(settings["dct-seg"]?.values["adversarial_max"], .number(0.05))
        XCTAssertEqual(settings["dct-seg"]?.values["ramp_epochs"], .number(80))
        XCTAssertEqual(settings["dct-seg"]?.values["epsilon"], .number(0.05))
        XCTAssertEqual(settings["ours"]?.values["semi_warmup_epochs"], .int(50))
        XCTAssertEqual(settings["ours"]?.values["similarity"], .string("mse"))
        XCTAssertEqual(settings["ours"]?.values["smoothness_weight"], .number(0.01))
        XCTAssertEqual(settings["ours"]?.values["registration_encoder"], .array([16, 32, 32, 32].map { .int($0) }))
    }

    func testAMistypedSettingIsNamedWithItsLine() {
        XCTAssertThrowsError(try Experiment.parse(yaml: "methods:\n  - mt: {consistency_mx: 1}\n", file: "bad.yaml", catalog: registry)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("bad.yaml") && text.contains("consistency_mx") && text.contains("consistency_max"), text)
        }
    }

    func testTheRepositoryExperimentsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["smoke", "quick", "table1-paper"] {
            let experiment = try Experiment.load(path: root.appendingPathComponent("experiments/\(name).yaml").path, catalog: registry)
            XCTAssertTrue(experiment.methods.contains { $0.name == "ours" }, name)
            XCTAssertTrue(experiment.methods.contains { $0.name == "fs-dense" }, name)
        }
        // The standard preset: every method of Table 1 and the MT ablations, on 2 seeds.
        let standard = try Experiment.load(path: root.appendingPathComponent("experiments/standard.yaml").path, catalog: registry)
        XCTAssertEqual(Set(standard.methods.map(\.name)),
                       ["fs-lcs", "mt", "mt-separate-bn", "mt-no-consistency", "ict", "dct-seg", "ua-mt", "ours", "fs-dense"])
        XCTAssertGreaterThanOrEqual(standard.seeds.count, 2)
        XCTAssertEqual(standard.jobs(catalog: registry).count, 9 * 5 * standard.seeds.count)
    }
}
