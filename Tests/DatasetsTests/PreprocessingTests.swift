import Datasets
import VoxelGeometry
import XCTest

final class PreprocessingTests: XCTestCase {
    func testPercentilesInterpolateLikeNumPy() {
        // np.percentile(np.arange(1, 101), [0.5, 99.5, 50]) == [1.495, 99.505, 50.5]
        let values = (1...100).map(Float.init).reversed().map { $0 }
        let p = Preprocessing.percentiles(values, [0.5, 99.5, 50])
        XCTAssertEqual(p[0], 1.495, accuracy: 1e-5)
        XCTAssertEqual(p[1], 99.505, accuracy: 1e-5)
        XCTAssertEqual(p[2], 50.5, accuracy: 1e-5)
        XCTAssertEqual(Preprocessing.percentile([7], 30), 7)
    }

    func testNormalisationClipsOutliersAndScalesToTheUnitRange() {
        var values = (0..<1000).map { Float($0) }
        values[500] = 1e6  // one hot pixel must not squash the rest
        let normalised = Preprocessing.normalise(values)
        XCTAssertEqual(normalised.min(), 0)
        XCTAssertEqual(normalised.max(), 1)
        XCTAssertEqual(normalised[500], 1)
        // Sorted, the data is 0...499, 501...999, 1e6: position 4.995 gives 4.995 and position
        // 994.005 falls between 995 and 996, giving 995.005.
        XCTAssertEqual(normalised[400], (400 - 4.995) / (995.005 - 4.995), accuracy: 1e-5)
        XCTAssertEqual(Preprocessing.normalise([3, 3, 3]), [0, 0, 0])
    }

    func testBilinearResamplingAlignsPixelCentres() {
        // A ramp 0, 1, 2, 3 upsampled to 8 samples at source coordinates (i + 0.5) / 2 - 0.5.
        let ramp: [Float] = [0, 1, 2, 3]
        let up = Preprocessing.resampleBilinear(ramp, from: SliceSize(ny: 1, nx: 4), to: SliceSize(ny: 1, nx: 8))
        XCTAssertEqual(up, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])
        let constant = [Float](repeating: 0.4, count: 35)
        for value in Preprocessing.resampleBilinear(constant, from: SliceSize(ny: 5, nx: 7), to: SliceSize(ny: 9, nx: 4)) {
            XCTAssertEqual(value, 0.4, accuracy: 1e-6)
        }
    }

    func testNearestResampling() {
        XCTAssertEqual(Preprocessing.resampleNearest([1, 2] as [UInt8], from: SliceSize(ny: 1, nx: 2), to: SliceSize(ny: 1, nx: 4)), [1, 1, 2, 2])
        XCTAssertEqual(Preprocessing.resampleNearest([1, 2, 3, 4] as [UInt8], from: SliceSize(ny: 1, nx: 4), to: SliceSize(ny: 1, nx: 2)), [2, 4])
        XCTAssertEqual(Preprocessing.resampleNearest([1, 2, 3, 4, 5, 6] as [UInt8], from: SliceSize(ny: 2, nx: 3), to: SliceSize(ny: 1, nx: 3)), [4, 5, 6])
    }

    func testPredictionsMapBackToTheOriginalGrid() {
        // An original 20 x 30 disc, stored at 16 x 16, mapped back.
        let original = SliceSize(ny: 20, nx: 30)
        let mapping = InPlaneMapping(original: original, stored: SliceSize(square: 16))
        var mask = [UInt8](repeating: 0, count: original.count)
        for y in 0..<20 { for x in 0..<30 where pow(Double(x) - 14.5, 2) / 100 + pow(Double(y) - 9.5, 2) / 49 < 1 { mask[y * 30 + x] = 1 } }
        let stored = mapping.maskToStored(mask)
        XCTAssertEqual(stored.count, 256)
        let back = mapping.maskToOriginal(stored)
        XCTAssertEqual(back.count, original.count)
        XCTAssertGreaterThan(dice(back, mask), 0.9)
        let smooth = mapping.probabilitiesToOriginal(stored.map(Float.init))
        XCTAssertGreaterThan(dice(smooth, mask), 0.9)
        // Exact when the stored grid is an integer multiple of the original.
        let double = InPlaneMapping(original: original, stored: SliceSize(ny: 40, nx: 60))
        XCTAssertEqual(double.maskToOriginal(double.maskToStored(mask)), mask)
        XCTAssertEqual(mapping.storedSpacing(Spacing(x: 0.4, y: 0.5, z: 3)), Spacing(x: 0.75, y: 0.625, z: 3))
        // Stored pixel (0, 0) covers original pixels 0 ..< 1.875 in x: its centre is at 0.4375
        // original pixels = 0.175 mm; in y 0 ..< 1.25 pixels, centre 0.125 pixels = 0.0625 mm.
        // With x and y axes swapped in the world, the shifts land on world y and x.
        let swapped = Orientation(origin: [10, 20, 30], direction: [0, 1, 0, 1, 0, 0, 0, 0, 1])
        let moved = mapping.storedOrientation(swapped, originalSpacing: Spacing(x: 0.4, y: 0.5, z: 3))
        XCTAssertEqual(moved.direction, swapped.direction)
        XCTAssertEqual(moved.origin[0], 10.0625, accuracy: 1e-12)
        XCTAssertEqual(moved.origin[1], 20.175, accuracy: 1e-12)
        XCTAssertEqual(moved.origin[2], 30)
    }
}

final class PercentileSelectionTests: XCTestCase {
    /// Selection agrees with the definition on a sorted copy, for many ranks, with ties.
    func testSelectionMatchesSorting() {
        var rng = UInt64(12345)
        func next() -> Float {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Float((rng >> 40) % 50)
        }
        let values = (0..<777).map { _ in next() }
        let sorted = values.sorted()
        for p in [0, 0.5, 1, 13.7, 50, 99.5, 100] {
            let position = p / 100 * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            let expected = sorted[low] + (sorted[high] - sorted[low]) * Float(position - Double(low))
            XCTAssertEqual(Preprocessing.percentile(values, p), expected, accuracy: 1e-4, "p = \(p)")
        }
    }
}
