import Foundation
import Jobs
import XCTest

final class JobSpecTests: XCTestCase {
    func testIdentifierIsTheJobsDirectory() {
        XCTAssertEqual(JobSpec.identifier(method: "ua-mt", fold: 3, seed: 1), "ua-mt/fold3/seed1")
        XCTAssertTrue(JobSpec.isValidID(JobSpec.identifier(method: "ua-mt", fold: 3, seed: 1)))
    }

    func testIDsThatWouldEscapeTheRunDirectoryAreInvalid() {
        for id in ["", "/abs", "a//b", "../x", "a/..", ".hidden", "a/./b", "sp ace", "é", String(repeating: "a", count: 201)] {
            XCTAssertFalse(JobSpec.isValidID(id), id)
        }
        for id in ["a", "mt/fold0/seed0", "x.y_z-1"] {
            XCTAssertTrue(JobSpec.isValidID(id), id)
        }
    }

    func testASpecRoundTripsThroughJSON() throws {
        let spec = JobSpec(id: "mt/fold1/seed2", method: "mt", fold: 1, seed: 2, settings: ["training": ["epochs": 3]], expectedCost: 2.5)
        let decoded = try JSONDecoder().decode(JobSpec.self, from: try JSONEncoder().encode(spec))
        XCTAssertEqual(decoded, spec)
        XCTAssertEqual(decoded.settings["training"]?["epochs"], .int(3))
    }
}
