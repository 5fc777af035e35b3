import Foundation
@testable import Methods
import SharedTestSupport
import TrainingCore
import XCTest

/// scalars.csv: a row per optimiser step with every loss, the learning rate the optimiser used
/// and what the step reported; after a crash, a resumed session ends with the bytes of an
/// uninterrupted one.
final class ScalarsLogTests: XCTestCase {
    private struct Crash: Error {}

    /// Runs `epochs` epochs of 3 steps of a phase whose losses depend only on the step, with an
    /// SGD optimiser whose rate the schedule sets; throws ``Crash`` at the first step of
    /// `crashAtEpoch` (1-based) when given.
    private func run(_ directory: URL, epochs: Int = 5, checkpointEvery: Int, crashAtEpoch: Int? = nil) throws {
        let session = try TrainingSession(directory: directory, checkpointEvery: checkpointEvery, random: .init(seed: 1),
                                          progress: { _ in }, shouldStop: { false })
        let optimiser = SGD(parameters: [], learningRate: 1)
        try session.runPhase("warmup", epochs: 1, stepsPerEpoch: 2, models: [], optimisers: [("sgd", optimiser)],
                             learningRate: { _, _ in 0.5 }) { _ in ["loss": 2] }
        try session.runPhase("train", epochs: epochs, stepsPerEpoch: 3, models: [], optimisers: [("sgd", optimiser)],
                             learningRate: { epoch, _ in 0.25 / Float(epoch + 1) }) { step in
            if step.epoch + 1 == crashAtEpoch { throw Crash() }
            step.scalars["consistency_weight"] = Float(step.iteration) / 10
            return ["loss": Float(step.iteration) + 0.5, "supervised": 1]
        }
    }

    private func scalars(_ directory: URL) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("scalars.csv"), encoding: .utf8)
    }

    func testARowPerStepWithLossesLearningRateAndReportedScalars() throws {
        let directory = Tiny.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try run(directory, epochs: 2, checkpointEvery: 1)
        let lines = try scalars(directory).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "phase,epoch,step,global_step,learning_rate,consistency_weight,loss,supervised")
        XCTAssertEqual(lines.count, 1 + 2 + 2 * 3)
        XCTAssertEqual(lines[1], "warmup,1,1,1,0.5,,2.0,")
        XCTAssertEqual(lines[3], "train,1,1,3,0.25,0.0,0.5,1.0")
        XCTAssertEqual(lines[8], "train,2,3,8,0.125,0.5,5.5,1.0")
        // losses.csv keeps its per-epoch means of the losses alone.
        let losses = try String(contentsOf: directory.appendingPathComponent("losses.csv"), encoding: .utf8)
        XCTAssertEqual(losses.split(separator: "\n").first, "phase,epoch,loss,supervised")
    }

    /// A crash in epoch 4 with checkpoints every 2 epochs: scalars.csv then holds epoch 3,
    /// which no checkpoint covers; the resumed session drops it, trains epochs 3 to 5 again
    /// and ends with the same file as a session that never crashed.
    func testRowsAfterTheLastCheckpointAreDroppedAndRewrittenOnResume() throws {
        let whole = Tiny.temporaryDirectory("whole"), crashed = Tiny.temporaryDirectory("crashed")
        addTeardownBlock {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: crashed)
        }
        try run(whole, checkpointEvery: 2)
        XCTAssertThrowsError(try run(crashed, checkpointEvery: 2, crashAtEpoch: 4)) { XCTAssertTrue($0 is Crash, "\($0)") }
        let beforeResume = try scalars(crashed)
        XCTAssertTrue(beforeResume.contains("\ntrain,3,3,"), "the crashed run wrote epoch 3, past its last checkpoint: \(beforeResume)")
        XCTAssertFalse(beforeResume.contains("\ntrain,4,"))
        try run(crashed, checkpointEvery: 2)
        XCTAssertEqual(try scalars(crashed), try scalars(whole))
        let events = { (directory: URL) in try Data(contentsOf: directory.appendingPathComponent(TrainingSession.eventFile)) }
        XCTAssertEqual(try events(crashed), try events(whole))
        XCTAssertEqual(try scalars(whole).split(separator: "\n").count, 1 + 2 + 5 * 3)
    }

    /// TensorBoard's own reader finds in the job's event file every value of scalars.csv
    /// (`train/<column>`) and validation.csv (`validation/dice`) at its global step.
    func testTensorBoardReadsWhatTheLogsHold() throws {
        guard let python = which("python3") else { try skipUnlessCI("python3 is not installed: the TensorBoard check did not run") }
        guard try runProgram(python, ["-c", "import tensorboard"]).status == 0 else {
            try skipUnlessCI("tensorboard is not installed for python3 (make test-deps): the TensorBoard check did not run")
        }
        let directory = Tiny.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let job = try Tiny.job("mt", budget: .twoSteps, validationCases: 2)
        _ = try JobRunner.run(job: job, dataset: Tiny.dataset, split: Tiny.split, runDirectory: directory)
        let jobDirectory = JobRunner.directory(runDirectory: directory, method: "mt", fold: 0, seed: Tiny.seed)
        var expected: [String] = []
        for row in csvRows(try scalars(jobDirectory)) {
            for (name, value) in row where !["phase", "epoch", "step", "global_step"].contains(name) && !value.isEmpty {
                expected.append("train/\(name) \(row["global_step"]!) \(Double(Float(value)!))")
            }
        }
        let validation = csvRows(try String(contentsOf: jobDirectory.appendingPathComponent("validation.csv"), encoding: .utf8))
        XCTAssertEqual(validation.count, 1)
        for row in validation { expected.append("validation/dice \(row["global_step"]!) \(Double(Float(row["val_dice"]!)!))") }
        let script = """
            import sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
            acc.Reload()
            for tag in acc.Tags()["scalars"]:
                for e in acc.Scalars(tag):
                    print("S", tag, e.step, repr(e.value))
            """
        let result = try runProgram(python, ["-c", script, jobDirectory.appendingPathComponent("tensorboard").path])
        XCTAssertEqual(result.status, 0, result.output)
        let read = result.output.split(separator: "\n").filter { $0.hasPrefix("S ") }.map { String($0.dropFirst(2)) }
        XCTAssertEqual(read.sorted(), expected.sorted(), result.output)
        XCTAssertGreaterThan(expected.count, 10)
    }

    /// The weights of the methods that have one, at the step they were used.
    func testMethodsLogTheirWeights() throws {
        let expected: [String: [String]] = [
            "mt": ["consistency_weight"], "mt-no-consistency": ["consistency_weight"], "ict": ["consistency_weight"],
            "ua-mt": ["consistency_weight", "uncertainty_threshold", "certain_fraction"], "dct-seg": ["cotraining_weight", "adversarial_weight"],
            "ours": ["smoothness_weight", "similarity"], "fs-lcs": [],
        ]
        for (method, columns) in expected.sorted(by: { $0.key < $1.key }) {
            let directory = Tiny.temporaryDirectory(method)
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try Tiny.train(method, directory: directory, budget: .twoSteps)
            let rows = csvRows(try scalars(directory))
            XCTAssertFalse(rows.isEmpty, method)
            for column in columns + ["loss", "learning_rate", "global_step"] {
                XCTAssertTrue(rows.contains { !($0[column] ?? "").isEmpty }, "\(method): no \(column)")
            }
            XCTAssertEqual(rows.map { $0["global_step"] }, (1...rows.count).map { String($0) }, method)
            if method == "mt-no-consistency" { XCTAssertTrue(rows.allSatisfy { $0["consistency_weight"] == "0.0" }, method) }
            if method == "fs-lcs" { XCTAssertTrue(rows.allSatisfy { $0["learning_rate"] == "0.002" }, "\(rows)") }
        }
    }

    private func csvRows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}
