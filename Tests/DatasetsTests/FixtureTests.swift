import Datasets
import Foundation
import XCTest

/// Files written by SimpleITK (MetaImage) and nibabel (NIfTI) read back with the values,
/// geometry and types SimpleITK reports for them (Fixtures/make_fixtures.py, expected.json).
final class FixtureTests: XCTestCase {
    struct Expected: Decodable {
        let size: [Int]
        let spacing: [Double]
        let origin: [Double]?
        let direction: [Double]?
        let type: String
        let values: [Double]
    }

    private func fixtures() throws -> (directory: String, expected: [String: Expected]) {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: url.appendingPathComponent("expected.json"))
        return (url.path, try JSONDecoder().decode([String: Expected].self, from: data))
    }

    func testEveryFixtureReadsAsSimpleITKReadsIt() throws {
        let (directory, expected) = try fixtures()
        XCTAssertEqual(expected.count, 21)
        for (key, truth) in expected.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "#")
            let image = try ImageIO.read(directory + "/" + parts[0], channel: parts.count > 1 ? Int(parts[1])! : 0)
            XCTAssertEqual(image.size, truth.size, key)
            XCTAssertEqual(image.elementType.rawValue, truth.type, key)
            XCTAssertEqual(image.values.count, truth.values.count, key)
            for (a, b) in zip(image.values, truth.values) { XCTAssertEqual(a, b, accuracy: abs(b) * 1e-7, key) }
            for (a, b) in zip(image.spacing, truth.spacing) { XCTAssertEqual(a, b, accuracy: 1e-6, key) }
            if let origin = truth.origin {
                XCTAssertEqual(image.origin.count, origin.count, key)
                for (a, b) in zip(image.origin, origin) { XCTAssertEqual(a, b, accuracy: 1e-4, key) }
            }
            if let direction = truth.direction {
                XCTAssertEqual(image.direction.count, direction.count, key)
                for (a, b) in zip(image.direction, direction) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(key) direction \(image.direction) vs \(direction)") }
            }
        }
    }

    /// The non-identity direction really is read (not defaulted): a 30-degree turn about z.
    func testTheRotationIsRead() throws {
        let (directory, _) = try fixtures()
        let meta = try MetaImage.read(directory + "/meta_int16.mha")
        XCTAssertEqual(meta.direction[1], -0.5, accuracy: 1e-6)
        XCTAssertEqual(meta.direction[3], 0.5, accuracy: 1e-6)
        let nifti = try NIfTI.read(directory + "/nifti_int16.nii.gz")
        // RAS (cos, -sin; sin, cos) becomes LPS with the first two rows negated.
        XCTAssertEqual(nifti.direction[0], -(3.0.squareRoot() / 2), accuracy: 1e-6)
        XCTAssertEqual(nifti.direction[1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(nifti.origin, [-10, 20.5, 30.25])
    }
}
