import Foundation
import Jobs
import XCTest

final class JSONValueTests: XCTestCase {
    private func decode(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testIntegersSurviveTheWireExactly() throws {
        // 2^53 + 1 is the first integer a Double cannot hold.
        let big = 9_007_199_254_740_993
        let value = try decode("{\"seed\": \(big), \"max\": \(Int.max)}")
        XCTAssertEqual(value["seed"], .int(big))
        XCTAssertEqual(value["seed"]?.intValue, big)
        XCTAssertEqual(value["max"]?.intValue, Int.max)
        XCTAssertEqual(try decode(try encode(value)), value)
        XCTAssertEqual(try encode(.int(big)), "\(big)")
    }

    func testNumbersThatAreNotIntegersStayDoubles() throws {
        XCTAssertEqual(try decode("0.25"), .number(0.25))
        XCTAssertNil(try decode("0.25").intValue)
        // Past Int's range an integral literal is a Double.
        XCTAssertEqual(try decode("1e300"), .number(1e300))
        XCTAssertEqual(try decode("-3"), .int(-3))
    }

    func testNumbersCompareByValueAsJSONHasOneNumberKind() {
        XCTAssertEqual(JSONValue.int(2), .number(2))
        XCTAssertEqual(Set<JSONValue>([.int(2), .number(2.0)]).count, 1)
        XCTAssertNotEqual(JSONValue.int(2), .number(2.5))
        // 2^63 is a Double; Int.max is not equal to it, though Double(Int.max) rounds to it.
        XCTAssertNotEqual(JSONValue.int(Int.max), .number(9.223372036854775808e18))
        XCTAssertNotEqual(JSONValue.int(1), .string("1"))
        XCTAssertNotEqual(JSONValue.bool(true), .int(1))
    }

    func testAccessorsAndPaths() throws {
        let value: JSONValue = ["a": [1, "x/y"], "b": ["c": "../z", "d": 2.5], "e": nil, "f": true]
        XCTAssertEqual(value["a"]?.arrayValue?.count, 2)
        XCTAssertEqual(value["b"]?["d"]?.doubleValue, 2.5)
        XCTAssertEqual(value["a"]?.arrayValue?[0].doubleValue, 1)
        XCTAssertEqual(value["f"]?.boolValue, true)
        XCTAssertEqual(value["e"], .null)
        XCTAssertNil(value["missing"])
        XCTAssertEqual(value.strings().map(\.path), ["a[1]", "b.c"])
        XCTAssertEqual(value.strings().map(\.value), ["x/y", "../z"])
        XCTAssertEqual(try decode(try encode(value)), value)
    }

    func testNotJSONIsAnError() {
        XCTAssertThrowsError(try decode("{\"a\": }"))
    }
}
