import Foundation
import Jobs
import XCTest
@testable import Runner

/// The jobs file: defaults, and errors that name the file and the field.
final class JobsFileTests: XCTestCase {
    func load(_ text: String) throws -> [JobSpec] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jobs-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(text.utf8).write(to: url)
        return try JobsFile.load(url)
    }

    func testJobsLoadWithDefaultsAndRoundTrip() throws {
        let jobs = try load(#"{"jobs": [{"id": "MT-fold1", "method": "MT", "fold": 1, "seed": 7, "settings": {"lr": 0.01}, "expectedCost": 3}, {"id": "b", "method": "m", "fold": 2, "seed": 8}]}"#)
        XCTAssertEqual(jobs, [JobSpec(id: "MT-fold1", method: "MT", fold: 1, seed: 7, settings: ["lr": 0.01], expectedCost: 3),
                              JobSpec(id: "b", method: "m", fold: 2, seed: 8, settings: [:], expectedCost: 1)])
        XCTAssertEqual(try load(String(decoding: try JobsFile.encode(jobs), as: UTF8.self)), jobs)
    }

    func testSettingsKeepEveryKindOfJSONValue() throws {
        let text = #"{"jobs": [{"id": "a", "method": "m", "fold": 1, "seed": 1, "settings": {"n": null, "t": true, "f": false, "x": 0.5, "i": 3, "s": "1", "l": [1, "a", [false]], "o": {"k": {}}}}]}"#
        let settings = try XCTUnwrap(try load(text).first?.settings)
        XCTAssertEqual(settings, ["n": nil, "t": true, "f": false, "x": 0.5, "i": 3, "s": "1", "l": [1, "a", [false]], "o": ["k": [:]]])
        XCTAssertEqual(settings.strings().map(\.path), ["l[1]", "s"])
    }

    func testJobIdsAreSafeRelativePaths() {
        for id in ["MT-fold1", "fs-lcs/fold0", "a.b_c/d-e/f"] { XCTAssertTrue(JobSpec.isValidID(id), id) }
        for id in ["", "/a", "a/", "a//b", "a/../b", "..", ".hidden", "a/.b", "a b", "é", String(repeating: "x", count: 201)] {
            XCTAssertFalse(JobSpec.isValidID(id), id)
        }
    }

    func testErrorsNameTheFileAndTheFault() {
        func message(_ text: String) -> String {
            do { _ = try load(text); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(#"{"jobs": [{"id": "a", "method": "m", "fold": 1}]}"#).contains("jobs[0].seed"))
        XCTAssertTrue(message(#"{"jobs": [{"id": "a", "method": "m", "fold": 1, "seed": 1}, {"id": "a", "method": "m", "fold": 2, "seed": 2}]}"#).contains("used twice"))
        XCTAssertTrue(message(#"{"jobs": [{"id": "../x", "method": "m", "fold": 1, "seed": 1}]}"#).contains("not a valid job id"))
        XCTAssertTrue(message(#"{"jobs": []}"#).contains("no jobs"))
        XCTAssertTrue(message("{").contains(".json"))
    }
}
