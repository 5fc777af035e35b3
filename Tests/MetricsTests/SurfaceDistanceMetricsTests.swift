import Metrics
import SeededRandom
import VoxelGeometry
import XCTest

final class SurfaceDistanceMetricsTests: XCTestCase {
    private func distances(_ a: BinaryVolume, _ b: BinaryVolume) -> SurfaceDistances {
        try! SurfaceDistances(prediction: a, reference: b)!
    }

    func testSingleVoxelsAtAnAnisotropicOffset() {
        let spacing = Spacing(x: 0.7, y: 1.1, z: 2.5)
        let a = TestVolumes.voxels(shape: [4, 5, 6], spacing: spacing, [(0, 1, 1)])
        let b = TestVolumes.voxels(shape: [4, 5, 6], spacing: spacing, [(1, 3, 4)])
        let expected = ((3 * 0.7) * (3 * 0.7) + (2 * 1.1) * (2 * 1.1) + 2.5 * 2.5).squareRoot()
        let d = distances(a, b)
        XCTAssertEqual(d.predictionToReference.count, 1)
        assertClose(d.predictionToReference[0], expected)
        assertClose(d.referenceToPrediction[0], expected)
        assertClose(d.assd, expected)
        assertClose(d.assdPooled, expected)
        assertClose(d.hd95, expected)
    }

    func testIdenticalMasksAreAtDistanceZero() {
        let a = TestVolumes.box(shape: [6, 7, 8], spacing: Spacing(x: 0.5, y: 0.5, z: 3), z: 1..<5, y: 0..<7, x: 2..<6)
        let d = distances(a, a)
        XCTAssertEqual([d.assd, d.assdPooled, d.hd95, d.hausdorff], [0, 0, 0, 0])
        XCTAssertEqual(d.predictionToReference.count, Surface.border(of: a).foregroundCount)
    }

    func testVoxelAtTheCentreOfACubeHandWorked() {
        // A is the centre voxel of the 3^3 cube B, which is interior to B, so A's only border
        // voxel is at one step of the smallest spacing from B's border, and B's 26 border voxels
        // are at face, edge and corner distances from A.
        let spacing = Spacing(x: 0.5, y: 1, z: 2)
        let a = TestVolumes.voxels(shape: [5, 5, 5], spacing: spacing, [(2, 2, 2)])
        let b = TestVolumes.box(shape: [5, 5, 5], spacing: spacing, z: 1..<4, y: 1..<4, x: 1..<4)
        let d = distances(a, b)
        XCTAssertEqual(d.predictionToReference, [0.5])
        let faces = 2 * (0.5 + 1 + 2)
        let edges = 4 * (1.25.squareRoot() + 4.25.squareRoot() + 5.0.squareRoot())
        let corners = 8 * 5.25.squareRoot()
        let sum26 = faces + edges + corners
        assertClose(d.referenceToPrediction.reduce(0, +), sum26)
        assertClose(d.assd, (0.5 + sum26 / 26) / 2)
        assertClose(d.assdPooled, (0.5 + sum26) / 27)
        // The 27 pooled values sorted: three 0.5, two 1, four sqrt 1.25, two 2, four sqrt 4.25,
        // four sqrt 5, eight sqrt 5.25 (ranks 19...26). Rank 26 * 0.95 = 24.7 lies among the last.
        assertClose(d.hd95, 5.25.squareRoot())
        assertClose(d.hausdorff, 5.25.squareRoot())
    }

    func testShiftedCubesHandWorked() {
        // A = [2, 6)^3, B = A shifted by one voxel along x; 56 border voxels each. Of A's border,
        // the x = 2 face (16 voxels) is one x step from B's x = 3 face, the 4 voxels in the
        // middle of A's x = 5 face are inside B and one step (the smallest spacing) from B's
        // faces, and the other 36 lie on B's border. B's border mirrors this.
        let spacing = Spacing(x: 2, y: 1.5, z: 3)
        let a = TestVolumes.box(shape: [8, 8, 9], spacing: spacing, z: 2..<6, y: 2..<6, x: 2..<6)
        let b = TestVolumes.box(shape: [8, 8, 9], spacing: spacing, z: 2..<6, y: 2..<6, x: 3..<7)
        let d = distances(a, b)
        XCTAssertEqual(d.predictionToReference.count, 56)
        XCTAssertEqual(d.referenceToPrediction.count, 56)
        assertClose(d.meanPredictionToReference, (16 * 2 + 4 * 1.5) / 56)
        assertClose(d.meanReferenceToPrediction, (16 * 2 + 4 * 1.5) / 56)
        assertClose(d.assd, 38.0 / 56)
        assertClose(d.assdPooled, 38.0 / 56)
        // 112 values: 72 zeros, 8 of 1.5, 32 of 2; ranks 105 and 106 are both 2.
        XCTAssertEqual(d.hd95, 2)
    }

    func testLineFillingTheArrayAgainstItsPrefix() {
        // nz = ny = 1, so every voxel is border. A = x in 0..<6, B = x in 0..<2, spacing x 0.8:
        // d(A->B) = 0, 0, 0.8, 1.6, 2.4, 3.2 and d(B->A) = 0, 0.
        let spacing = Spacing(x: 0.8, y: 1, z: 1)
        let a = TestVolumes.box(shape: [1, 1, 6], spacing: spacing, z: 0..<1, y: 0..<1, x: 0..<6)
        let b = TestVolumes.box(shape: [1, 1, 6], spacing: spacing, z: 0..<1, y: 0..<1, x: 0..<2)
        let d = distances(a, b)
        assertClose(d.meanPredictionToReference, 8.0 / 6)
        XCTAssertEqual(d.meanReferenceToPrediction, 0)
        assertClose(d.assd, 4.0 / 6)
        assertClose(d.assdPooled, 1)
        // Rank 7 * 0.95 = 6.65 between 2.4 and 3.2.
        assertClose(d.hd95, 2.4 + 0.65 * 0.8)
    }

    func testConcentricBallsAreTheirRadiusDifferenceApart() {
        // Balls of radius 6 and 9 mm sampled at 0.5 mm: surface voxels lie within half a
        // voxel diagonal of the spheres, so every distance is 3 mm up to about a voxel.
        let spacing = Spacing(x: 0.5, y: 0.5, z: 0.5)
        let centre = (10.0, 10.0, 10.0)
        let inner = TestVolumes.ball(shape: [41, 41, 41], spacing: spacing, centre: centre, radius: 6)
        let outer = TestVolumes.ball(shape: [41, 41, 41], spacing: spacing, centre: centre, radius: 9)
        let d = distances(inner, outer)
        XCTAssertEqual(d.assd, 3, accuracy: 0.5)
        XCTAssertEqual(d.assdPooled, 3, accuracy: 0.5)
        XCTAssertEqual(d.hd95, 3, accuracy: 0.75)
        XCTAssertGreaterThan(d.assd, 2.5)
    }

    func testShiftedBallIsNoFartherThanItsShift() {
        // Translating a set translates its border, so every border voxel has a partner exactly
        // the shift away and no distance exceeds it. A's trailing pole lies 11.4 mm from B's
        // centre, so 2.4 mm from any voxel of B's ball: the Hausdorff distance is the shift.
        let spacing = Spacing(x: 0.6, y: 0.6, z: 3.6)
        let a = TestVolumes.ball(shape: [9, 40, 40], spacing: spacing, centre: (14.4, 12, 12), radius: 9)
        let b = TestVolumes.ball(shape: [9, 40, 40], spacing: spacing, centre: (14.4, 12, 14.4), radius: 9)
        let d = distances(a, b)
        XCTAssertEqual(d.hausdorff, 2.4, accuracy: 1e-12)
        XCTAssertGreaterThan(d.assd, 0.5)
        XCTAssertLessThan(d.assd, 2.4)
    }

    func testDirectedDistancesFollowPredictionAndReferenceRoles() {
        let a = TestVolumes.voxels(shape: [1, 1, 8], [(0, 0, 0)])
        let b = TestVolumes.box(shape: [1, 1, 8], z: 0..<1, y: 0..<1, x: 3..<8)
        let d = distances(a, b)
        XCTAssertEqual(d.predictionToReference, [3])
        XCTAssertEqual(d.referenceToPrediction, [3, 4, 5, 6, 7])
    }

    func testRandomMasksMatchBruteForceNearestBorderSearch() {
        // A is cut to the low x half and B to the high y two thirds, so that their bounding boxes
        // differ and the box the transform is restricted to cuts through the array.
        var rng = SeededGenerator(seed: 2211)
        for trial in 0..<25 {
            let shape = TestVolumes.randomShape(maxExtent: 12, using: &rng)
            let spacing = TestVolumes.randomSpacing(using: &rng)
            let noiseA = TestVolumes.random(shape: shape, spacing: spacing, density: 0.3, using: &rng)
            let noiseB = TestVolumes.random(
                shape: shape, spacing: spacing, density: 0.1 + 0.05 * Double(trial % 5), using: &rng)
            let a = try! BinaryVolume(shape: shape, spacing: spacing) { z, y, x in noiseA[z, y, x] && 2 * x <= shape[2] }
            let b = try! BinaryVolume(shape: shape, spacing: spacing) { z, y, x in noiseB[z, y, x] && 3 * y >= shape[1] }
            guard let d = try! SurfaceDistances(prediction: a, reference: b) else {
                XCTAssertTrue(a.isEmpty || b.isEmpty)
                continue
            }
            let borderA = points(of: Surface.border(of: a)), borderB = points(of: Surface.border(of: b))
            func nearest(_ p: (Int, Int, Int), in set: [(Int, Int, Int)]) -> Double {
                set.map { q in
                    let dz = Double(p.0 - q.0) * spacing.z, dy = Double(p.1 - q.1) * spacing.y
                    let dx = Double(p.2 - q.2) * spacing.x
                    return (dz * dz + dy * dy + dx * dx).squareRoot()
                }.min()!
            }
            let forward = borderA.map { nearest($0, in: borderB) }, backward = borderB.map { nearest($0, in: borderA) }
            XCTAssertEqual(d.predictionToReference.count, forward.count)
            XCTAssertEqual(d.referenceToPrediction.count, backward.count)
            for (x, y) in zip(d.predictionToReference, forward) { assertClose(x, y, "trial \(trial)") }
            for (x, y) in zip(d.referenceToPrediction, backward) { assertClose(x, y, "trial \(trial)") }
        }
    }

    /// Foreground voxels (z, y, x) in index order.
    private func points(of volume: BinaryVolume) -> [(Int, Int, Int)] {
        var out: [(Int, Int, Int)] = []
        for z in 0..<volume.nz {
            for y in 0..<volume.ny {
                for x in 0..<volume.nx where volume[z, y, x] { out.append((z, y, x)) }
            }
        }
        return out
    }
}
