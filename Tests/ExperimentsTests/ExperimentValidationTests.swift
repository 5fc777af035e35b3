import Experiments
import XCTest

/// Every mistake in an experiment file is an error naming the file, the line and the key.
final class ExperimentValidationTests: XCTestCase {
    let catalog = TestCatalog()

    private func error(_ yaml: String) -> String {
        do {
            _ = try Experiment.parse(yaml: yaml, file: "bad.yaml", catalog: catalog)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testUnknownAndMistypedKeys() {
        XCTAssertEqual(error("methods: [mt]\nepochs: 3\n"),
                       "bad.yaml:2: epochs: unknown key in the experiment (accepted: name, description, seed, seeds, folds, run_folds, dataset, training, methods, runner)")
        XCTAssertTrue(error("methods: [mt]\ntraining:\n  learning_rat: 0.1\n").hasPrefix(
            "bad.yaml:3: training.learning_rat: unknown key in training; did you mean 'learning_rate'?"))
        XCTAssertTrue(error("methods:\n  - mt: { ema_decy: 0.5 }\n").hasPrefix(
            "bad.yaml:2: methods.mt.ema_decy: unknown key in method mt; did you mean 'ema_decay'?"))
        XCTAssertTrue(error("methods: [mt]\ntraining: { schedule: { every: 3 } }\n").contains(
            "training.schedule.every: unknown key in schedule"))
    }

    func testWrongTypesAndImpossibleValues() {
        XCTAssertEqual(error("methods: [mt]\ntraining: { epochs: ten }\n"),
                       "bad.yaml:2: training.epochs: expected an integer, found a string ten")
        XCTAssertEqual(error("methods: [mt]\ntraining: { epochs: 0 }\n"),
                       "bad.yaml:2: training.epochs: 0 is out of range 1...10000")
        XCTAssertEqual(error("methods: [mt]\ntraining: { learning_rate: -1 }\n"),
                       "bad.yaml:2: training.learning_rate: -1.0 is out of range 1e-08...1.0")
        XCTAssertEqual(error("methods: [mt]\ntraining: { optimizer: rmsprop }\n"),
                       "bad.yaml:2: training.optimizer: expected one of adam, sgd, found rmsprop")
        XCTAssertEqual(error("methods: [mt]\ntraining: { augment: 1 }\n"),
                       "bad.yaml:2: training.augment: expected true or false, found an integer 1")
        XCTAssertEqual(error("methods: [mt]\ntraining: { channels: [1, 2] }\n"),
                       "bad.yaml:2: training.channels: expected 5 elements, found 2")
        XCTAssertEqual(error("methods: [mt]\nfolds: 1\n"), "bad.yaml:2: folds: 1 is out of range 2...50")
        XCTAssertEqual(error("methods: [mt]\nfolds: 3\nrun_folds: [3]\n"),
                       "bad.yaml:3: run_folds[0]: 3 is out of range 0...2")
        XCTAssertEqual(error("methods: [mt]\nseed:\n"), "bad.yaml:2: seed: empty value (remove the key to use its default)")
    }

    func testMethodListProblems() {
        XCTAssertEqual(error("seed: 1\n"), "bad.yaml: methods: missing: list the methods to run (known: fs-lcs, mt)")
        XCTAssertEqual(error("methods: []\n"), "bad.yaml:1: methods: expected a non-empty list of method names")
        XCTAssertEqual(error("methods: [mt, dct]\n"), "bad.yaml:1: methods[1]: unknown method 'dct' (known: fs-lcs, mt)")
        XCTAssertEqual(error("methods: [mt, mt]\n"), "bad.yaml:1: methods[1]: method 'mt' is listed twice")
    }

    func testBrokenYAMLAndDuplicateKeys() {
        XCTAssertTrue(error("methods: [mt\n").hasPrefix("bad.yaml:2: not valid YAML"), error("methods: [mt\n"))
        XCTAssertTrue(error("methods: [mt]\nseed: 1\nseed: 2\n").contains("bad.yaml"))
        XCTAssertTrue(error("methods: [mt]\nseed: 1\nseed: 2\n").contains("seed"), error("methods: [mt]\nseed: 1\nseed: 2\n"))
        XCTAssertEqual(error(""), "bad.yaml: the file is empty")
        XCTAssertEqual(error("- a\n- b\n"), "bad.yaml:1: expected a mapping of keys to values")
    }
}
