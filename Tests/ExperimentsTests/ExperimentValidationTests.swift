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

    func testIntegersPast64BitsAreErrorsNotTraps() {
        XCTAssertEqual(error("methods: [mt]\ntraining:\n  epochs: 99999999999999999999999\n"),
                       "bad.yaml:3: training.epochs: 99999999999999999999999 is not an integer of at most 64 bits (-9223372036854775808...9223372036854775807)")
        XCTAssertTrue(error("seed: 99999999999999999999\nmethods: [mt]\n").hasPrefix("bad.yaml:1: seed: 99999999999999999999 is not an integer"))
        XCTAssertTrue(error("methods: [mt]\nseeds: [1, -99999999999999999999]\n").hasPrefix("bad.yaml:2: seeds[1]: -99999999999999999999 is not an integer"))
        XCTAssertTrue(error("methods: [mt]\nfolds: !!int five\n").hasPrefix("bad.yaml:2: folds: five is not an integer"))
        XCTAssertTrue(error("methods: [mt]\ntraining: { augment: !!bool maybe }\n").hasPrefix("bad.yaml:2: training.augment: 'maybe' is not a boolean"))
        XCTAssertTrue(error("methods: [mt]\ntraining: { learning_rate: !!float tiny }\n").hasPrefix("bad.yaml:2: training.learning_rate: 'tiny' is not a number"))
        // At the edge of 64 bits the value is read, and then checked against its range.
        XCTAssertEqual(error("methods: [mt]\nfolds: 9223372036854775807\n"), "bad.yaml:2: folds: 9223372036854775807 is out of range 2...50")
    }

    func testTheNameIsAPlainNameNotAPath() throws {
        for name in ["../../x", "a/b", ".hidden", "..", "/abs", "a b", "", "é", String(repeating: "a", count: 101)] {
            XCTAssertTrue(error("name: \"\(name)\"\nmethods: [mt]\n").hasPrefix("bad.yaml:1: name: expected letters, digits"), "\(name): \(error("name: \"\(name)\"\nmethods: [mt]\n"))")
        }
        XCTAssertEqual(try Experiment.parse(yaml: "name: quick-2.v1_b\nmethods: [mt]\n", file: "e.yaml", catalog: catalog).name, "quick-2.v1_b")
        // A file name that makes no plain name needs the key.
        XCTAssertTrue(error(yaml: "methods: [mt]\n", file: "dir/my run.yaml").hasPrefix("dir/my run.yaml: name: "), error(yaml: "methods: [mt]\n", file: "dir/my run.yaml"))
        XCTAssertEqual(try Experiment.parse(yaml: "name: mine\nmethods: [mt]\n", file: "dir/my run.yaml", catalog: catalog).name, "mine")
    }

    /// Anchors and aliases are refused before Yams composes them, so a "billion laughs" (nine
    /// levels of ten aliases, 10^9 strings expanded) costs nothing.
    func testAnchorsAndAliasesAreRefusedBeforeTheyExpand() throws {
        var laughs = "methods: [mt]\ndescription: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        var previous = "a"
        for anchor in "bcdefghi" {
            laughs += "l\(anchor): &\(anchor) [" + [String](repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = String(anchor)
        }
        let start = ContinuousClock.now
        XCTAssertEqual(error(laughs), "bad.yaml:2: YAML anchors and aliases are not supported, found '&a'")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
        XCTAssertEqual(error("methods: [mt]\ntraining: &t { epochs: 3 }\n"), "bad.yaml:2: YAML anchors and aliases are not supported, found '&t'")
        XCTAssertEqual(error("methods:\n  - mt\n  - *m\n"), "bad.yaml:3: YAML anchors and aliases are not supported, found '*m'")
    }

    func testDocumentsPastTheSizeLimitAreRefusedUnparsed() throws {
        let padding = String(repeating: "# a comment line\n", count: Experiment.maximumBytes / 17 + 1)
        XCTAssertEqual(error("methods: [mt]\n" + padding), "bad.yaml: the file is \(14 + padding.utf8.count) bytes, more than the 4194304 an experiment may have")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).yaml")
        try Data(("methods: [mt]\n" + padding).utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try Experiment.load(path: url.path, catalog: catalog)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path): the file is "), "\(error)")
        }
    }

    private func error(yaml: String, file: String) -> String {
        do {
            _ = try Experiment.parse(yaml: yaml, file: file, catalog: catalog)
            return "no error"
        } catch {
            return "\(error)"
        }
    }
}
