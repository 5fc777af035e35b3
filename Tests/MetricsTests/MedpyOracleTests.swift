import Metrics
import VoxelGeometry
import XCTest

/// Our metrics against medpy's on random masks (values in MedpyOracle.swift, made by
/// benchmarks/metrics_medpy.py with medpy 0.5.2).
final class MedpyOracleTests: XCTestCase {
    private func mask(_ hex: String, shape: [Int], spacing: Spacing) -> BinaryVolume {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let count = shape.reduce(1, *)
        let voxels = (0..<count).map { i in bytes[i / 8] >> (i % 8) & 1 == 1 }
        return try! BinaryVolume(shape: shape, spacing: spacing, voxels: voxels)
    }

    func testAllMetricsAgreeWithMedpy() throws {
        XCTAssertEqual(medpyOracle.count, 6)
        for (n, c) in medpyOracle.enumerated() {
            let spacing = Spacing(x: c.spacing.x, y: c.spacing.y, z: c.spacing.z)
            let a = mask(c.prediction, shape: c.shape, spacing: spacing)
            let b = mask(c.reference, shape: c.shape, spacing: spacing)
            let m = try evaluate(prediction: a, reference: b)
            XCTAssertEqual(m.flags, [], "case \(n)")
            assertClose(m.dice, c.dice, "dice case \(n)")
            assertClose(m.iou, c.iou, "iou case \(n)")
            assertClose(m.ravd, c.ravd, "ravd case \(n)")
            assertClose(m.ravdAbs, abs(c.ravd), "ravd_abs case \(n)")
            assertClose(m.assd, c.assd, "assd case \(n)")
            assertClose(m.assdPooled, c.assdPooled, "assd_pooled case \(n)")
            assertClose(m.hd95, c.hd95, "hd95 case \(n)")
            let d = try XCTUnwrap(try SurfaceDistances(prediction: a, reference: b))
            assertClose(d.hausdorff, c.hausdorff, "hd case \(n)")
        }
    }
}
