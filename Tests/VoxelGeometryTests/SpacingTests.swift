import Foundation
import VoxelGeometry
import XCTest

final class SpacingTests: XCTestCase {
    func testValidOnlyWhenEveryExtentIsFiniteAndPositive() {
        XCTAssertTrue(Spacing(x: 0.6, y: 0.6, z: 3.6).isValid)
        XCTAssertTrue(Spacing.unit.isValid)
        for bad: Double in [0, -1, .nan, .infinity, -.infinity] {
            XCTAssertFalse(Spacing(x: bad, y: 1, z: 1).isValid, "x = \(bad)")
            XCTAssertFalse(Spacing(x: 1, y: bad, z: 1).isValid, "y = \(bad)")
            XCTAssertFalse(Spacing(x: 1, y: 1, z: bad).isValid, "z = \(bad)")
        }
    }

    func testCloseWithinARelativeTolerancePerAxis() {
        let a = Spacing(x: 0.625, y: 0.625, z: 3.6)
        // 0.625 stored as a 32-bit float and read back is exact; 3.6 is not: 3.5999999046325684.
        XCTAssertTrue(a.isClose(to: Spacing(x: 0.625, y: 0.625, z: Double(Float(3.6)))))
        XCTAssertFalse(a.isClose(to: Spacing(x: 0.625, y: 0.625, z: 3.7)))
        // One axis off by 2e-5 relative fails the default 1e-5 and passes 1e-4.
        let b = Spacing(x: 0.625 * (1 + 2e-5), y: 0.625, z: 3.6)
        XCTAssertFalse(a.isClose(to: b))
        XCTAssertTrue(a.isClose(to: b, relativeTolerance: 1e-4))
    }

    func testXYZOrderDescriptionAndJSONKeys() throws {
        let s = Spacing(x: 0.5, y: 0.75, z: 3)
        XCTAssertEqual(s.xyz, [0.5, 0.75, 3])
        XCTAssertEqual(s.description, "0.5 x 0.75 x 3.0 mm")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(s), as: UTF8.self), #"{"x":0.5,"y":0.75,"z":3}"#)
        XCTAssertEqual(try JSONDecoder().decode(Spacing.self, from: Data(#"{"x":0.5,"y":0.75,"z":3}"#.utf8)), s)
    }
}
