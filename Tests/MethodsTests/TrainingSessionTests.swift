import Foundation
@testable import Methods
import XCTest

/// A step whose loss is not finite stops training with an error that says which loss, where,
/// instead of the NaN reaching the loss log, whose JSON and CSV encoders cannot hold it.
final class TrainingSessionTests: XCTestCase {
    /// Runs three epochs of four steps whose losses are finite except `bad` at (epoch, step),
    /// both 1-based; returns the error and the session's directory.
    private func diverge(_ bad: Float, epoch: Int, step: Int) throws -> (error: (any Error)?, directory: URL) {
        let directory = Tiny.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let session = try TrainingSession(directory: directory, checkpointEvery: 1, random: .init(seed: 1), progress: { _ in }, shouldStop: { false })
        do {
            try session.runPhase("train", epochs: 3, stepsPerEpoch: 4, models: [], optimisers: []) { current in
                let here = current.epoch + 1 == epoch && current.step + 1 == step
                return ["loss": 1, "supervised": here ? bad : 0.5, "consistency": 0.25]
            }
            return (nil, directory)
        } catch {
            return (error, directory)
        }
    }

    func testANonFiniteLossNamesTheLossPhaseEpochAndStep() throws {
        for (value, text) in [(Float.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf")] {
            let (error, directory) = try diverge(value, epoch: 2, step: 3)
            let diverged = try XCTUnwrap(error as? TrainingDiverged, "\(String(describing: error))")
            XCTAssertEqual("\(diverged)", "training diverged: loss 'supervised' is \(text) at phase train, epoch 2, step 3")
            // The log holds the one finished epoch, with finite means; the state still decodes.
            let csv = try String(contentsOf: directory.appendingPathComponent("losses.csv"), encoding: .utf8)
            XCTAssertEqual(csv, "phase,epoch,consistency,loss,supervised\ntrain,1,0.25,1.0,0.5\n")
            let state = try JSONDecoder().decode(TrainingSession.SessionState.self, from: Data(contentsOf: directory.appendingPathComponent("checkpoints/state.json")))
            XCTAssertEqual(state.epochsDone, ["train": 1])
        }
    }

    func testFiniteLossesTrainEveryEpoch() throws {
        let (error, directory) = try diverge(0.75, epoch: 2, step: 3)
        XCTAssertNil(error)
        let csv = try String(contentsOf: directory.appendingPathComponent("losses.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 4, csv)
    }
}
