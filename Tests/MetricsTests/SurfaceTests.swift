import Metrics
import SeededRandom
import XCTest

final class SurfaceTests: XCTestCase {
    func testCubeInsideArrayKeepsOnlyItsCentreInterior() {
        let cube = TestVolumes.box(shape: [5, 5, 5], z: 1..<4, y: 1..<4, x: 1..<4)
        let border = Surface.border(of: cube)
        XCTAssertEqual(border.foregroundCount, 26)
        XCTAssertFalse(border[2, 2, 2])
        XCTAssertTrue(border[1, 1, 1])
        XCTAssertTrue(border[3, 2, 2])
    }

    func testFullArrayIsBorderOnlyOnTheArrayEdge() {
        // Outside the array is background, so a mask filling the array keeps a one-voxel shell.
        let full = TestVolumes.box(shape: [4, 4, 4], z: 0..<4, y: 0..<4, x: 0..<4)
        let border = Surface.border(of: full)
        XCTAssertEqual(border.foregroundCount, 64 - 8)
        XCTAssertFalse(border[1, 2, 1])
        XCTAssertTrue(border[0, 2, 1])
    }

    func testSlabTouchingArrayEdge() {
        // x in 0..<3 of a 5^3 array: x = 0 is border by the array edge, x = 2 by the background at
        // x = 3, and only x = 1 with y, z in 1...3 stays interior: 75 - 9 = 66 border voxels.
        let slab = TestVolumes.box(shape: [5, 5, 5], z: 0..<5, y: 0..<5, x: 0..<3)
        let border = Surface.border(of: slab)
        XCTAssertEqual(border.foregroundCount, 66)
        XCTAssertFalse(border[2, 2, 1])
        XCTAssertTrue(border[2, 2, 0])
        XCTAssertTrue(border[0, 2, 1])
    }

    func testSingleSliceAndSingleVoxelAreAllBorder() {
        // With one slice every voxel touches the array edge along z.
        let slice = TestVolumes.box(shape: [1, 6, 6], z: 0..<1, y: 0..<6, x: 0..<6)
        XCTAssertEqual(Surface.border(of: slice), slice)
        let single = TestVolumes.voxels(shape: [3, 3, 3], [(1, 1, 1)])
        XCTAssertEqual(Surface.border(of: single), single)
    }

    func testSixNeighbourhoodIgnoresDiagonals() {
        // A plus-shaped 3D cross: its centre has all six face neighbours, so it is interior even
        // though all its diagonal neighbours are background (a 26-neighbourhood would erode it).
        let cross = TestVolumes.voxels(
            shape: [3, 3, 3], [(1, 1, 1), (0, 1, 1), (2, 1, 1), (1, 0, 1), (1, 2, 1), (1, 1, 0), (1, 1, 2)])
        let border = Surface.border(of: cross)
        XCTAssertEqual(border.foregroundCount, 6)
        XCTAssertFalse(border[1, 1, 1])
    }

    func testRandomMasksMatchDirectErosion() {
        var rng = SeededGenerator(seed: 51)
        for _ in 0..<20 {
            let shape = TestVolumes.randomShape(maxExtent: 9, using: &rng)
            let mask = TestVolumes.random(shape: shape, spacing: .unit, density: 0.75, using: &rng)
            XCTAssertEqual(Surface.border(of: mask), directBorder(mask), "shape \(shape)")
        }
    }

    /// The definition word for word: erode with the 6-neighbourhood (centre and face neighbours
    /// all foreground, background beyond the array), then XOR with the mask.
    private func directBorder(_ mask: BinaryVolume) -> BinaryVolume {
        func at(_ z: Int, _ y: Int, _ x: Int) -> Bool {
            guard (0..<mask.nz).contains(z), (0..<mask.ny).contains(y), (0..<mask.nx).contains(x) else { return false }
            return mask[z, y, x]
        }
        let offsets = [(0, 0, 0), (-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)]
        return try! BinaryVolume(shape: mask.shape, spacing: mask.spacing) { z, y, x in
            let eroded = offsets.allSatisfy { at(z + $0.0, y + $0.1, x + $0.2) }
            return mask[z, y, x] != eroded
        }
    }
}
