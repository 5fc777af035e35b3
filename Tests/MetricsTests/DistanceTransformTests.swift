import Metrics
import SeededRandom
import VoxelGeometry
import XCTest

final class DistanceTransformTests: XCTestCase {
    func testSingleSeedGivesExactAnisotropicDistances() {
        let spacing = Spacing(x: 0.6, y: 0.9, z: 3.6)
        let seed = TestVolumes.voxels(shape: [5, 7, 6], spacing: spacing, [(1, 5, 2)])
        let squared = DistanceTransform.squaredDistances(toForegroundOf: seed)
        for z in 0..<5 {
            for y in 0..<7 {
                for x in 0..<6 {
                    let dx = Double(x - 2) * 0.6, dy = Double(y - 5) * 0.9, dz = Double(z - 1) * 3.6
                    assertClose(squared[seed.index(z: z, y: y, x: x)], dx * dx + dy * dy + dz * dz)
                }
            }
        }
    }

    func testSeedPlaneGivesDistanceAlongItsNormal() {
        let spacing = Spacing(x: 1, y: 1, z: 2.5)
        let plane = TestVolumes.box(shape: [6, 4, 5], spacing: spacing, z: 0..<1, y: 0..<4, x: 0..<5)
        let distances = DistanceTransform.distances(toForegroundOf: plane)
        for z in 0..<6 {
            XCTAssertEqual(distances[plane.index(z: z, y: 3, x: 4)], Double(z) * 2.5, accuracy: 1e-12)
        }
    }

    func testNoSeedIsInfiniteEverywhere() {
        let empty = try! BinaryVolume(shape: [3, 4, 5], spacing: .unit)
        XCTAssertTrue(DistanceTransform.squaredDistances(toForegroundOf: empty).allSatisfy { $0 == .infinity })
    }

    func testMatchesBruteForceOnRandomVolumes() {
        var rng = SeededGenerator(seed: 5)
        for trial in 0..<60 {
            let shape = TestVolumes.randomShape(maxExtent: 10, using: &rng)
            let spacing = TestVolumes.randomSpacing(using: &rng)
            // Densities from a lone seed or two up to mostly seeds, so that lines with no seed
            // (infinite samples in the later passes) are common.
            let density = [0.01, 0.05, 0.2, 0.6][trial % 4]
            let seeds = TestVolumes.random(shape: shape, spacing: spacing, density: density, using: &rng)
            let fast = DistanceTransform.squaredDistances(toForegroundOf: seeds)
            let slow = bruteForce(seeds)
            for i in 0..<slow.count {
                if slow[i] == .infinity {
                    XCTAssertEqual(fast[i], .infinity, "trial \(trial) voxel \(i)")
                } else {
                    assertClose(fast[i], slow[i], tolerance: 1e-12, "trial \(trial) shape \(shape) voxel \(i)")
                }
            }
        }
    }

    /// Minimum over all seeds of the squared physical distance.
    private func bruteForce(_ seeds: BinaryVolume) -> [Double] {
        var points: [(Int, Int, Int)] = []
        for z in 0..<seeds.nz {
            for y in 0..<seeds.ny {
                for x in 0..<seeds.nx where seeds[z, y, x] { points.append((z, y, x)) }
            }
        }
        let s = seeds.spacing
        var out = [Double](repeating: .infinity, count: seeds.count)
        for z in 0..<seeds.nz {
            for y in 0..<seeds.ny {
                for x in 0..<seeds.nx {
                    for (pz, py, px) in points {
                        let dx = Double(x - px) * s.x, dy = Double(y - py) * s.y, dz = Double(z - pz) * s.z
                        out[seeds.index(z: z, y: y, x: x)] = min(out[seeds.index(z: z, y: y, x: x)], dx * dx + dy * dy + dz * dz)
                    }
                }
            }
        }
        return out
    }
}
