import Datasets
import Pipeline
import Runner
import Jobs
import XCTest

/// The coordinator's check of a training job's result against the run's folds.
final class ResultCheckTests: XCTestCase {
    private let split = try! FoldSplit.stratified([("A", "s"), ("B", "s"), ("C", "s"), ("D", "s")], k: 2, seed: 0)
    private var check: ResultCheck { ResultCheck(split: split) }
    private let spec = JobSpec(id: "mt/fold1/seed3", method: "mt", fold: 1, seed: 3)

    private func row(_ id: String, dice: JSONValue = 0.5) -> JSONValue {
        ["case": .string(id), "dice": dice, "iou": 0.3, "assd": 1.5, "ravd": -0.1, "flags": []]
    }

    private func metrics(method: String = "mt", fold: Int = 1, seed: Int = 3, cases: JSONValue) -> JSONValue {
        ["file": "metrics.json", "content": ["method": .string(method), "fold": .number(Double(fold)), "seed": .number(Double(seed)),
                                             "status": "completed", "cases": cases]]
    }

    private func message(_ rows: [JSONValue]) -> String {
        do {
            try check.check(spec, JobOutput(rows: rows))
            return "accepted"
        } catch { return "\(error)" }
    }

    func testAResultScoringExactlyTheFoldsTestCasesIsAccepted() {
        let tests = split.testIDs(1)
        XCTAssertEqual(message([metrics(cases: .array(tests.map { row($0) }))]), "accepted")
    }

    func testForgedOrBrokenResultsAreRefusedWithTheReason() {
        let tests = split.testIDs(1), other = split.testIDs(0)
        XCTAssertTrue(message([]).contains("no metrics.json"), message([]))
        XCTAssertTrue(message([["forged": true]]).contains("rows[0]: expected"), message([["forged": true]]))
        let notAList = message([metrics(cases: "notalist")])
        XCTAssertTrue(notAList.contains("metrics.json: cases: expected"), notAList)
        let wrongFold = message([metrics(fold: 0, cases: .array(other.map { row($0) }))])
        XCTAssertTrue(wrongFold.contains("not for the job mt/fold1/seed3"), wrongFold)
        let wrongSeed = message([metrics(seed: 4, cases: .array(tests.map { row($0) }))])
        XCTAssertTrue(wrongSeed.contains("seed 4"), wrongSeed)
        let missing = message([metrics(cases: .array([row(tests[0])]))])
        XCTAssertTrue(missing.contains("missing \(tests[1])"), missing)
        let extra = message([metrics(cases: .array((tests + [other[0]]).map { row($0) }))])
        XCTAssertTrue(extra.contains("not test cases \(other[0])"), extra)
        let outOfRange = message([metrics(cases: .array([row(tests[0], dice: 0.99e3), row(tests[1])]))])
        XCTAssertTrue(outOfRange.contains("cases[0].dice"), outOfRange)
        let twice = message([metrics(cases: .array(tests.map { row($0) })), metrics(cases: .array(tests.map { row($0) }))])
        XCTAssertTrue(twice.contains("carried twice"), twice)
    }
}
