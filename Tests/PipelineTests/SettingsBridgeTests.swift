@testable import Pipeline
import Experiments
import Runner
import XCTest

final class SettingsBridgeTests: XCTestCase {
    func testExperimentSettingsSurviveTheWireAndStillValidate() throws {
        let settings: SettingValue = .map([
            "training": .map(["epochs": .int(3), "learning_rate": .number(1e-4), "augment": .bool(false),
                              "channels": .list([.int(4), .int(8)]), "lr": .number(2.0)]),
            "optimizer": .string("adam"),
        ])
        let wire = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(SettingsBridge.json(settings)))
        let back = try SettingsBridge.setting(wire, key: "")
        // Integral numbers come back as integers (2.0 -> 2): readers accept either for a number,
        // and the schemas normalise them again when the worker re-validates.
        XCTAssertEqual(back["training"]?["epochs"], .int(3))
        XCTAssertEqual(back["training"]?["learning_rate"], .number(1e-4))
        XCTAssertEqual(back["training"]?["lr"], .int(2))
        XCTAssertEqual(back["training"]?["channels"], .list([.int(4), .int(8)]))
        XCTAssertEqual(back["optimizer"], .string("adam"))
        let schema = SettingsSchema(name: "t", specs: [SettingSpec("lr", .number(0...10), default: .number(1), help: "")])
        XCTAssertEqual(try schema.resolve([LocatedSetting(key: "lr", value: .int(2), line: nil)], path: "", file: "job")["lr"], .number(2))
    }

    func testNullIsRefusedWithItsKey() {
        XCTAssertThrowsError(try SettingsBridge.setting(.object(["training": .object(["epochs": .null])]), key: "")) { error in
            XCTAssertEqual("\(error)", "job settings: training.epochs is null")
        }
    }
}
