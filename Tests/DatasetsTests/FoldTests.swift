import Datasets
import Foundation
import XCTest

final class FoldTests: XCTestCase {
    let cases: [(id: String, site: String)] = (0..<50).map { (String(format: "Case%02d", $0), ["A", "B", "C", "D"][$0 % 4]) }

    func testFoldsPartitionTheCasesEvenlyPerSite() throws {
        let split = try FoldSplit.stratified(cases, k: 5, seed: 7)
        let tested = split.testCases.flatMap { $0 }
        XCTAssertEqual(tested.count, 50)
        XCTAssertEqual(Set(tested), Set(cases.map(\.id)))
        XCTAssertEqual(split.testCases.map(\.count), [10, 10, 10, 10, 10])
        let siteOf = Dictionary(uniqueKeysWithValues: cases.map { ($0.id, $0.site) })
        for site in ["A", "B", "C", "D"] {
            let total = cases.filter { $0.site == site }.count
            let perFold = split.testCases.map { fold in fold.filter { siteOf[$0] == site }.count }
            XCTAssertLessThanOrEqual(perFold.max()! - perFold.min()!, 1, "site \(site): \(perFold)")
            XCTAssertEqual(perFold.reduce(0, +), total)
        }
        for fold in 0..<5 {
            XCTAssertEqual(Set(split.trainingIDs(fold)).intersection(split.testIDs(fold)), [])
            XCTAssertEqual(split.trainingIDs(fold).count + split.testIDs(fold).count, 50)
        }
    }

    func testTheSplitIsSeeded() throws {
        XCTAssertEqual(try FoldSplit.stratified(cases, seed: 7), try FoldSplit.stratified(cases, seed: 7))
        XCTAssertNotEqual(try FoldSplit.stratified(cases, seed: 7).testCases, try FoldSplit.stratified(cases, seed: 8).testCases)
    }

    func testTheSplitRoundTripsThroughJSON() throws {
        let path = try temporaryDirectory(self) + "/folds.json"
        let split = try FoldSplit.stratified(cases, seed: 3)
        try split.write(to: path)
        XCTAssertEqual(try FoldSplit.read(path), split)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        XCTAssertEqual(json?["k"] as? Int, 5)
        XCTAssertEqual((json?["testCases"] as? [[String]])?.count, 5)
    }

    func testBadSplitsAreRejected() throws {
        XCTAssertThrowsError(try FoldSplit.stratified(Array(cases.prefix(3)), k: 5, seed: 1))
        XCTAssertThrowsError(try FoldSplit.stratified(cases, k: 1, seed: 1))
        let path = try temporaryDirectory(self) + "/folds.json"
        try Data(#"{"k": 2, "seed": 1, "cases": ["a", "b"], "testCases": [["a"], ["a"]]}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FoldSplit.read(path)) { error in
            XCTAssertEqual((error as? DataError)?.field, "testCases")
        }
    }

    func testCentralSliceRules() {
        XCTAssertEqual(CentralSliceRule.volumeMiddle.centralSlice(sliceCount: 20, labelledExtent: 3...9), 10)
        XCTAssertEqual(CentralSliceRule.volumeMiddle.centralSlice(sliceCount: 15, labelledExtent: nil), 7)
        XCTAssertEqual(CentralSliceRule.labelledExtentMiddle.centralSlice(sliceCount: 20, labelledExtent: 3...9), 6)
        XCTAssertEqual(CentralSliceRule.labelledExtentMiddle.centralSlice(sliceCount: 20, labelledExtent: 4...9), 6)
        XCTAssertEqual(CentralSliceRule.labelledExtentMiddle.centralSlice(sliceCount: 20, labelledExtent: nil), 10)
    }
}
