import Experiments
import Jobs
import XCTest

/// Settings declared once: the schema, its defaults, the checks and the typed reads all come
/// from the declarations.
final class SettingTests: XCTestCase {
    enum Colour: String, SettingChoice { case red, green }

    static let count = Setting<Int>("count", 1...10, default: 3, help: "how many")
    static let rate = Setting<Double>("rate", 0...1, default: 0.5, help: "a fraction")
    static let colour = Setting<Colour>("colour", default: .green, help: "a choice")
    static let widths = Setting<[Int]>("widths", each: 1...64, count: 2...3, default: [8, 16], help: "a list")
    static let schema = SettingsSchema(name: "example", [count, rate, colour, widths])

    func testTheSchemaComesFromTheDeclarations() {
        XCTAssertEqual(Self.schema.specs.map(\.key), ["count", "rate", "colour", "widths"])
        XCTAssertEqual(Self.schema.defaults.values["colour"], .string("green"))
        let defaults = Self.schema.defaults
        XCTAssertEqual(defaults[Self.count], 3)
        XCTAssertEqual(defaults[Self.colour], .green)
        XCTAssertEqual(defaults[Self.widths], [8, 16])
    }

    func testResolvedValuesAreReadTyped() throws {
        let resolved = try Self.schema.resolve(json: ["count": 7, "rate": 1, "colour": "red", "widths": [4, 4, 4]], path: "example", file: "job x")
        XCTAssertEqual(resolved[Self.count], 7)
        // An integer given for a number is read as a number.
        XCTAssertEqual(resolved[Self.rate], 1.0)
        XCTAssertEqual(resolved[Self.colour], .red)
        XCTAssertEqual(resolved[Self.widths], [4, 4, 4])
        XCTAssertEqual(resolved.replacing(Self.count, with: 2)[Self.count], 2)
    }

    func testBadValuesAreRefusedNamingTheKey() {
        func message(_ json: JSONValue) -> String {
            do {
                _ = try Self.schema.resolve(json: json, path: "example", file: "job x")
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message(["colour": "blue"]).contains("example.colour: expected one of red, green, found blue"), message(["colour": "blue"]))
        XCTAssertTrue(message(["count": 11]).contains("example.count: 11 is out of range 1...10"), message(["count": 11]))
        XCTAssertTrue(message(["count": 2.5]).contains("example.count: expected an integer"), message(["count": 2.5]))
        XCTAssertTrue(message(["widths": [1]]).contains("example.widths: expected 2 to 3 elements"), message(["widths": [1]]))
        XCTAssertTrue(message(["cuont": 1]).contains("did you mean 'count'"), message(["cuont": 1]))
        XCTAssertTrue(message("not a mapping").contains("job x: example: expected a mapping"), message("not a mapping"))
    }

    func testAJobWithoutItsSettingsIsRefusedNotTrapped() {
        func message(_ settings: JSONValue, seed: Int = 0, fold: Int = 0) -> String {
            do {
                _ = try JobSettings(of: JobSpec(id: "mt/fold0/seed0", method: "mt", fold: fold, seed: seed, settings: settings))
                return "no error"
            } catch { return "\(error)" }
        }
        let good: JSONValue = ["training": [:], "method": [:], "dataset": [:], "folds": 5]
        XCTAssertEqual(message(good), "no error")
        XCTAssertTrue(message(["folds": 1]).contains("folds must be an integer from 2 to 50"), message(["folds": 1]))
        XCTAssertTrue(message(good, fold: 5).contains("above the job's fold 5"), message(good, fold: 5))
        XCTAssertTrue(message(good, seed: -1).contains("the seed must be 0 or more"), message(good, seed: -1))
        XCTAssertTrue(message(["training": 3, "folds": 5]).contains("training must be a mapping"), message(["training": 3, "folds": 5]))
        XCTAssertTrue(message([1, 2]).contains("expected a mapping"), message([1, 2]))
    }
}
