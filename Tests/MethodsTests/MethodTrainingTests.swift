import Datasets
import Foundation
@testable import Methods
import TrainingCore
import XCTest

/// Each method on the tiny phantom for a few steps: finite losses, and predictions better
/// than the same U-Net untrained.
final class MethodTrainingTests: XCTestCase {
    /// Cross-entropy of an untrained U-Net of the tiny configuration on the test slices.
    private static let untrained: Double = {
        let training = try! TrainingSettings(try! TrainingSettings.schema.resolve(json: try! Tiny.job("fs-lcs").settings["training"], path: "training", file: "test"))
        return try! Tiny.testCrossEntropy(UNetPredictor(networks: [UNet(configuration: training.unetConfiguration, seed: 99)]))
    }()

    private func check(_ method: String, budget: Tiny.Budget = .learn) throws {
        let directory = Tiny.temporaryDirectory(method)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try Tiny.train(method, directory: directory, budget: budget)
        let log = try String(contentsOf: directory.appendingPathComponent("losses.csv"), encoding: .utf8)
        let rows = log.split(separator: "\n").dropFirst()
        XCTAssertFalse(rows.isEmpty, "\(method): no loss logged")
        for row in rows {
            for cell in row.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2) where !cell.isEmpty {
                XCTAssertTrue(Double(cell)?.isFinite == true, "\(method): loss \(cell) in row \(row)")
            }
        }
        let ce = try Tiny.testCrossEntropy(trained.predictor)
        XCTAssertLessThan(ce, Self.untrained - 0.02, "\(method): test cross-entropy \(ce) vs untrained \(Self.untrained)")
    }

    func testFSLCS() throws { try check("fs-lcs") }
    func testMeanTeacher() throws { try check("mt", budget: .learnLonger) }
    func testMeanTeacherWithSeparateBatchNorm() throws { try check("mt-separate-bn", budget: .learnLonger) }
    func testMeanTeacherWithoutConsistency() throws { try check("mt-no-consistency", budget: .learnLonger) }
    func testUAMT() throws { try check("ua-mt", budget: .learnLonger) }
    func testICT() throws { try check("ict", budget: .learnLonger) }
    func testDCTSeg() throws { try check("dct-seg") }
    func testOurs() throws { try check("ours") }
    func testFSDense() throws { try check("fs-dense") }

    /// Every method plans the steps it takes, so that progress bars end at 100 % and the ETA
    /// is the time left (Ours once planned its last stage twice).
    func testEveryMethodsProgressEndsAtItsPlannedSteps() throws {
        for method in MethodRegistry.standard.methodNames {
            let directory = Tiny.temporaryDirectory(method)
            defer { try? FileManager.default.removeItem(at: directory) }
            nonisolated(unsafe) var last: TrainingProgress?
            _ = try Tiny.train(method, directory: directory, budget: .twoSteps) { last = $0 }
            XCTAssertGreaterThan(last?.stepsPlanned ?? 0, 0, method)
            XCTAssertEqual(last?.stepsDone, last?.stepsPlanned, method)
        }
    }
}
