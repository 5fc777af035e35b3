import Metrics
import SeededRandom
import VoxelGeometry
import XCTest

/// Small builders shared by the metric tests.
enum TestVolumes {
    /// A mask whose foreground is the half-open box `[z0, z1) x [y0, y1) x [x0, x1)`.
    static func box(
        shape: [Int], spacing: Spacing = .unit, z: Range<Int>, y: Range<Int>, x: Range<Int>
    ) -> BinaryVolume {
        try! BinaryVolume(shape: shape, spacing: spacing) { z.contains($0) && y.contains($1) && x.contains($2) }
    }

    /// A mask with the given foreground voxels `(z, y, x)`.
    static func voxels(shape: [Int], spacing: Spacing = .unit, _ points: [(Int, Int, Int)]) -> BinaryVolume {
        var volume = try! BinaryVolume(shape: shape, spacing: spacing)
        for (z, y, x) in points { volume[z, y, x] = true }
        return volume
    }

    /// A ball of radius `radius` mm around the centre `(z, y, x)` in mm from voxel (0, 0, 0).
    static func ball(shape: [Int], spacing: Spacing, centre: (Double, Double, Double), radius: Double) -> BinaryVolume {
        try! BinaryVolume(shape: shape, spacing: spacing) { z, y, x in
            let dz = Double(z) * spacing.z - centre.0
            let dy = Double(y) * spacing.y - centre.1
            let dx = Double(x) * spacing.x - centre.2
            return dz * dz + dy * dy + dx * dx <= radius * radius
        }
    }

    /// A random mask with each voxel foreground with probability `density`.
    static func random(shape: [Int], spacing: Spacing, density: Double, using rng: inout SeededGenerator) -> BinaryVolume {
        let voxels = (0..<shape.reduce(1, *)).map { _ in rng.uniformDouble() < density }
        return try! BinaryVolume(shape: shape, spacing: spacing, voxels: voxels)
    }

    /// A random spacing with each extent in [0.3, 4) mm.
    static func randomSpacing(using rng: inout SeededGenerator) -> Spacing {
        Spacing(x: 0.3 + 3.7 * rng.uniformDouble(), y: 0.3 + 3.7 * rng.uniformDouble(), z: 0.3 + 3.7 * rng.uniformDouble())
    }

    /// A random shape with each extent in 1...maxExtent.
    static func randomShape(maxExtent: Int, using rng: inout SeededGenerator) -> [Int] {
        (0..<3).map { _ in 1 + Int(rng.next() % UInt64(maxExtent)) }
    }
}

/// Asserts two values agree to a relative (or, near 0, absolute) tolerance.
func assertClose(
    _ actual: Double?, _ expected: Double, tolerance: Double = 1e-12, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    guard let actual else {
        XCTFail("nil, expected \(expected) \(message)", file: file, line: line)
        return
    }
    XCTAssertLessThanOrEqual(
        abs(actual - expected), tolerance * max(1, abs(expected)), "\(actual) vs \(expected) \(message)",
        file: file, line: line)
}
