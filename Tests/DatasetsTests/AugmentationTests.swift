import Datasets
import SeededRandom
import XCTest

final class AugmentationTests: XCTestCase {
    let size = SliceSize(square: 3)
    let grid: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]

    func testQuarterTurnsAndFlipsMatchNumPy() {
        // np.flipud(np.rot90([[1,2,3],[4,5,6],[7,8,9]])) and np.fliplr(np.rot90(..., 2)).
        XCTAssertEqual(AugmentationTransform.quarterTurns(1, flipAxis: 0).apply(toImage: grid, size: size), [1, 4, 7, 2, 5, 8, 3, 6, 9])
        XCTAssertEqual(AugmentationTransform.quarterTurns(2, flipAxis: 1).apply(toImage: grid, size: size), [7, 8, 9, 4, 5, 6, 1, 2, 3])
        XCTAssertEqual(AugmentationTransform.quarterTurns(0, flipAxis: 1).apply(toImage: grid, size: size), [3, 2, 1, 6, 5, 4, 9, 8, 7])
        XCTAssertEqual(AugmentationTransform.identity.apply(toImage: grid, size: size), grid)
    }

    func testAQuarterRotationByAngleEqualsRot90() {
        // np.rot90 = [3, 6, 9, 2, 5, 8, 1, 4, 7]; undo the flip of quarterTurns(1, flipAxis: 0).
        let rotated = AugmentationTransform.rotation(degrees: 90).apply(toImage: grid, size: size)
        for (a, b) in zip(rotated, [3, 6, 9, 2, 5, 8, 1, 4, 7] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let even = SliceSize(square: 4), values = (0..<16).map(Float.init)
        let byAngle = AugmentationTransform.rotation(degrees: -90).apply(toMask: values.map { UInt8($0) }, size: even)
        let byTurns = AugmentationTransform.quarterTurns(3, flipAxis: 0).apply(toMask: values.map { UInt8($0) }, size: even)
        // quarterTurns flips rows afterwards; flip back before comparing.
        var unflipped: [UInt8] = []
        for y in 0..<4 {
            let row = (3 - y) * 4
            unflipped += byTurns[row..<(row + 4)]
        }
        XCTAssertEqual(byAngle, unflipped)
    }

    func testSmallRotationsInterpolateImagesAndKeepMasksBinary() {
        let n = 21, size = SliceSize(square: n)
        var mask = [UInt8](repeating: 0, count: n * n)
        for y in 5..<16 { for x in 3..<18 { mask[y * n + x] = 1 } }
        let image = mask.map { Float($0) }
        let transform = AugmentationTransform.rotation(degrees: 17)
        let rotatedImage = transform.apply(toImage: image, size: size)
        let rotatedMask = transform.apply(toMask: mask, size: size)
        XCTAssertTrue(rotatedMask.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertTrue(rotatedImage.contains { $0 > 0.05 && $0 < 0.95 }, "bilinear gives intermediate values at edges")
        // Same geometry for both: wherever the mask is set, the image has the box's mass, and
        // wherever the interpolated image is fully inside the box, so is the mask.
        for i in 0..<(n * n) {
            if rotatedMask[i] == 1 { XCTAssertGreaterThan(rotatedImage[i], 0) }
            if rotatedImage[i] > 0.999 { XCTAssertEqual(rotatedMask[i], 1) }
        }
        // Area is about preserved (the box stays inside the slice).
        let before = mask.reduce(0) { $0 + Int($1) }, after = rotatedMask.reduce(0) { $0 + Int($1) }
        XCTAssertEqual(Double(after), Double(before), accuracy: Double(before) * 0.1)
    }

    func testDrawsFollowSSL4MISProbabilitiesAndAreSeeded() {
        var rng = SeededGenerator(seed: 5)
        var quarter = 0, rotation = 0, identity = 0
        var angles: [Double] = []
        for _ in 0..<8000 {
            switch AugmentationTransform.random(using: &rng) {
            case .quarterTurns(let k, let axis):
                XCTAssertTrue((0...3).contains(k) && (0...1).contains(axis))
                quarter += 1
            case .rotation(let degrees):
                angles.append(degrees)
                rotation += 1
            case .identity: identity += 1
            }
        }
        XCTAssertEqual(Double(quarter) / 8000, 0.5, accuracy: 0.02)
        XCTAssertEqual(Double(rotation) / 8000, 0.25, accuracy: 0.02)
        XCTAssertEqual(Double(identity) / 8000, 0.25, accuracy: 0.02)
        XCTAssertTrue(angles.allSatisfy { (-20...20).contains($0) })
        XCTAssertLessThan(angles.min()!, -19)
        XCTAssertGreaterThan(angles.max()!, 19)

        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        let image = (0..<64).map { Float($0) / 64 }, mask = (0..<64).map { UInt8($0 % 2) }
        for _ in 0..<20 {
            let x = augment(image: image, mask: mask, size: SliceSize(square: 8), using: &a)
            let y = augment(image: image, mask: mask, size: SliceSize(square: 8), using: &b)
            XCTAssertEqual(x.image, y.image)
            XCTAssertEqual(x.mask, y.mask)
        }
    }
}
