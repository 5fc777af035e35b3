import Metrics
import VoxelGeometry
import XCTest

final class GeometryTests: XCTestCase {
    func testInvalidVolumesAreRejectedWithTheirValues() {
        XCTAssertThrowsError(try BinaryVolume(shape: [2, 3], spacing: .unit, voxels: [])) { error in
            XCTAssertEqual(error as? MetricsError, .invalidShape([2, 3]))
        }
        XCTAssertThrowsError(try BinaryVolume(shape: [2, 0, 3], spacing: .unit)) { error in
            XCTAssertEqual(error as? MetricsError, .invalidShape([2, 0, 3]))
        }
        XCTAssertThrowsError(try BinaryVolume(shape: [1, 2, 3], spacing: .unit, voxels: [true])) { error in
            XCTAssertEqual(error as? MetricsError, .voxelCountMismatch(shape: [1, 2, 3], expected: 6, got: 1))
            XCTAssertTrue("\(error)".contains("needs 6 voxels, got 1"), "\(error)")
        }
        let flat = Spacing(x: 0.6, y: 0, z: 3.6)
        XCTAssertThrowsError(try BinaryVolume(shape: [1, 1, 1], spacing: flat)) { error in
            XCTAssertEqual(error as? MetricsError, .invalidSpacing(flat))
        }
    }

    func testMismatchedGridsAreNamedInTheError() throws {
        let a = try BinaryVolume(shape: [2, 3, 4], spacing: .unit)
        let b = try BinaryVolume(shape: [2, 4, 3], spacing: .unit)
        XCTAssertThrowsError(try evaluate(prediction: a, reference: b)) { error in
            XCTAssertEqual("\(error)", "geometry mismatch: prediction has shape [2, 3, 4], reference has shape [2, 4, 3]")
        }
        let c = try BinaryVolume(shape: [2, 3, 4], spacing: Spacing(x: 1, y: 1, z: 1.5))
        XCTAssertThrowsError(try evaluate(prediction: a, reference: c)) { error in
            XCTAssertEqual(
                error as? MetricsError, .spacingMismatch(prediction: .unit, reference: Spacing(x: 1, y: 1, z: 1.5)))
            XCTAssertTrue("\(error)".contains("1.0 x 1.0 x 1.5 mm"), "\(error)")
        }
        XCTAssertThrowsError(try SurfaceDistances(prediction: a, reference: c))
    }

    func testFloatRoundedSpacingStillMatches() throws {
        // A spacing read back from a 32-bit header field differs in the last digits only.
        let exact = Spacing(x: 0.625, y: 0.625, z: 3.6)
        let rounded = Spacing(x: 0.625, y: 0.625, z: Double(Float(3.6)))
        XCTAssertNotEqual(exact, rounded)
        let a = TestVolumes.box(shape: [3, 3, 3], spacing: exact, z: 0..<2, y: 0..<2, x: 0..<2)
        let b = TestVolumes.box(shape: [3, 3, 3], spacing: rounded, z: 0..<2, y: 0..<2, x: 0..<2)
        XCTAssertEqual(try evaluate(prediction: a, reference: b).dice, 1)
    }

    func testIndexFollowsTheProjectLayout() throws {
        var volume = try BinaryVolume(shape: [2, 3, 4], spacing: .unit)
        volume[1, 2, 3] = true
        XCTAssertEqual(volume.index(z: 1, y: 2, x: 3), (1 * 3 + 2) * 4 + 3)
        XCTAssertEqual(volume.voxels.firstIndex(of: true), 23)
        XCTAssertEqual(volume.shape, [2, 3, 4])
    }

    func testIntegerEllipsoidHandCounted() throws {
        // Radii (1, 1, 2) voxels: five voxels along x, and one step along y or z only at dx = 0.
        let e = try BinaryVolume.ellipsoid(
            shape: [3, 3, 5], spacing: .unit, centre: (z: 1, y: 1, x: 2), radii: (z: 1, y: 1, x: 2))
        XCTAssertEqual(e.foregroundCount, 9)
        XCTAssertTrue(e[1, 1, 0] && e[1, 1, 4] && e[0, 1, 2] && e[1, 2, 2])
        XCTAssertFalse(e[1, 2, 1])
        XCTAssertThrowsError(
            try BinaryVolume.ellipsoid(shape: [3, 3, 5], spacing: .unit, centre: (1, 1, 2), radii: (0, 1, 2))
        ) { error in
            XCTAssertEqual(error as? MetricsError, .invalidRadii([0, 1, 2]))
        }
    }
}
