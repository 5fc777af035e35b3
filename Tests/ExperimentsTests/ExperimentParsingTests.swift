import Experiments
import Jobs
import XCTest

final class ExperimentParsingTests: XCTestCase {
    let catalog = TestCatalog()

    func testAMethodsOnlyFileGetsEveryDefault() throws {
        let experiment = try Experiment.parse(yaml: "methods: [fs-lcs]\n", file: "experiments/tiny.yaml", catalog: catalog)
        XCTAssertEqual(experiment.name, "tiny")
        XCTAssertEqual(experiment.folds, 5)
        XCTAssertEqual(experiment.runFolds, [0, 1, 2, 3, 4])
        XCTAssertEqual(experiment.seeds, [0])
        XCTAssertEqual(experiment.dataset.values["image_size"], .int(256))
        XCTAssertEqual(experiment.training.values["learning_rate"], .number(1e-4))
        XCTAssertEqual(experiment.runner.maxAttempts, 3)
        XCTAssertEqual(experiment.methods.map(\.name), ["fs-lcs"])
    }

    func testMethodTrainingOverridesApplyToThatMethodOnly() throws {
        let yaml = """
            name: overrides
            seed: 7
            folds: 3
            run_folds: [0, 2]
            dataset: { image_size: 64 }
            training:
              epochs: 20
              learning_rate: 0.001
              schedule: { every_epochs: 10 }
            methods:
              - fs-lcs
              - mt:
                  consistency_max: 1
                  training: { epochs: 40 }
            """
        let experiment = try Experiment.parse(yaml: yaml, file: "x.yaml", catalog: catalog)
        XCTAssertEqual(experiment.seeds, [7])
        XCTAssertEqual(experiment.runFolds, [0, 2])
        let fsLCS = experiment.methods[0], mt = experiment.methods[1]
        XCTAssertEqual(fsLCS.training.values["epochs"], .int(20))
        XCTAssertEqual(mt.training.values["epochs"], .int(40))
        // Shared keys the method does not override stay shared; an integer given for a number
        // is normalised to a number.
        XCTAssertEqual(mt.training.values["learning_rate"], .number(0.001))
        XCTAssertEqual(mt.settings.values["consistency_max"], .number(1))
        XCTAssertEqual(mt.settings.values["ema_decay"], .number(0.99))
        XCTAssertEqual(fsLCS.training.values["schedule"], .object(["every_epochs": .int(10), "factor": .number(0.5)]))
    }

    func testResolvedYAMLReadsBackToTheSameExperiment() throws {
        let yaml = """
            description: "a run: with punctuation"
            dataset: { path: "data/my set.h5" }
            training: { epochs: 3, optimizer: sgd, augment: false, channels: [8, 16, 32, 64, 128] }
            methods: [mt, fs-lcs]
            runner: { heartbeat_seconds: 0.25 }
            """
        let experiment = try Experiment.parse(yaml: yaml, file: "round.yaml", catalog: catalog)
        let resolved = experiment.resolvedYAML()
        XCTAssertTrue(resolved.contains("learning_rate: 0.0001  # Adam step size"), resolved)
        let again = try Experiment.parse(yaml: resolved, file: "round.yaml", catalog: catalog)
        XCTAssertEqual(again, experiment)
    }

    func testJobsCoverEveryMethodOnEveryFoldToRun() throws {
        let experiment = try Experiment.parse(
            yaml: "run_folds: [1, 3]\ntraining: {epochs: 10}\nmethods: [fs-lcs, mt]\n", file: "jobs.yaml", catalog: catalog)
        let jobs = experiment.jobs(catalog: catalog)
        XCTAssertEqual(jobs.map(\.id), ["fs-lcs/fold1/seed0", "fs-lcs/fold3/seed0", "mt/fold1/seed0", "mt/fold3/seed0"])
        XCTAssertEqual(jobs.map(\.expectedCost), [10, 10, 20, 20])
        XCTAssertEqual(jobs[2].settings["method"]?["consistency_max"], .number(0.1))
        XCTAssertEqual(jobs[2].settings["training"]?["epochs"], .int(10))
        // Settings travel as plain JSON.
        let json = try JSONEncoder().encode(jobs[2])
        XCTAssertEqual(try JSONDecoder().decode(JobSpec.self, from: json), jobs[2])
    }

    func testSeedsAreAnAxisOfJobsLikeFolds() throws {
        let experiment = try Experiment.parse(
            yaml: "seeds: [3, 1]\nrun_folds: [0, 2]\nmethods: [fs-lcs, mt]\n", file: "seeds.yaml", catalog: catalog)
        XCTAssertEqual(experiment.seeds, [3, 1])
        let jobs = experiment.jobs(catalog: catalog)
        XCTAssertEqual(jobs.map(\.id), ["fs-lcs/fold0/seed3", "fs-lcs/fold0/seed1", "fs-lcs/fold2/seed3", "fs-lcs/fold2/seed1",
                                        "mt/fold0/seed3", "mt/fold0/seed1", "mt/fold2/seed3", "mt/fold2/seed1"])
        XCTAssertEqual(jobs.map(\.seed), [3, 1, 3, 1, 3, 1, 3, 1])
        // Every seed of a fold gets the same settings: only the seed differs.
        XCTAssertEqual(jobs[0].settings, jobs[1].settings)
        // The resolved file keeps the seeds.
        let again = try Experiment.parse(yaml: experiment.resolvedYAML(), file: "seeds.yaml", catalog: catalog)
        XCTAssertEqual(again.seeds, [3, 1])
    }

    func testSeedErrorsNameTheKeyAndLine() throws {
        func message(_ yaml: String) -> String {
            do {
                _ = try Experiment.parse(yaml: yaml, file: "s.yaml", catalog: catalog)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message("seed: 1\nseeds: [1, 2]\nmethods: [mt]\n").contains("s.yaml:1: seed: give either seed or seeds, not both"),
                      message("seed: 1\nseeds: [1, 2]\nmethods: [mt]\n"))
        XCTAssertTrue(message("methods: [mt]\nseeds: [1, 1]\n").contains("s.yaml:2: seeds: a seed is listed twice"), message("methods: [mt]\nseeds: [1, 1]\n"))
        XCTAssertTrue(message("methods: [mt]\nseeds: []\n").contains("seeds"), message("methods: [mt]\nseeds: []\n"))
        XCTAssertTrue(message("methods: [mt]\nseeds: [-1]\n").contains("seeds"), message("methods: [mt]\nseeds: [-1]\n"))
    }

    func testLoadingTheFileFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exp-\(UUID().uuidString).yaml")
        try Data("methods: [mt]\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try Experiment.load(path: url.path, catalog: catalog).methods.map(\.name), ["mt"])
        XCTAssertThrowsError(try Experiment.load(path: "/nonexistent/e.yaml", catalog: catalog)) { error in
            XCTAssertEqual("\(error)", "/nonexistent/e.yaml: cannot read the file (missing or unreadable)")
        }
    }
}
