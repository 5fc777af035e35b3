import Metrics
import VoxelGeometry
import XCTest

final class EmptyCaseTests: XCTestCase {
    private let empty = try! BinaryVolume(shape: [4, 5, 6], spacing: Spacing(x: 0.6, y: 0.6, z: 3.6))
    private let cube = TestVolumes.box(
        shape: [4, 5, 6], spacing: Spacing(x: 0.6, y: 0.6, z: 3.6), z: 1..<3, y: 1..<4, x: 2..<5)

    private func assertNoSurfaceMetrics(_ m: CaseMetrics, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(m.assd, file: file, line: line)
        XCTAssertNil(m.assdPooled, file: file, line: line)
        XCTAssertNil(m.hd95, file: file, line: line)
    }

    func testBothEmptyIsPerfectOverlapWithUndefinedDistances() throws {
        let m = try evaluate(prediction: empty, reference: empty)
        XCTAssertEqual(m.dice, 1)
        XCTAssertEqual(m.iou, 1)
        assertNoSurfaceMetrics(m)
        XCTAssertNil(m.ravd)
        XCTAssertNil(m.ravdAbs)
        XCTAssertEqual(m.flags, [.emptyPrediction, .emptyReference])
    }

    func testEmptyPredictionHasZeroOverlapAndMinusOneRavd() throws {
        let m = try evaluate(prediction: empty, reference: cube)
        XCTAssertEqual([m.dice, m.iou], [0, 0])
        assertNoSurfaceMetrics(m)
        XCTAssertEqual(m.ravd, -1)
        XCTAssertEqual(m.ravdAbs, 1)
        XCTAssertEqual(m.flags, .emptyPrediction)
    }

    func testEmptyReferenceLeavesRavdUndefined() throws {
        let m = try evaluate(prediction: cube, reference: empty)
        XCTAssertEqual([m.dice, m.iou], [0, 0])
        assertNoSurfaceMetrics(m)
        XCTAssertNil(m.ravd)
        XCTAssertNil(m.ravdAbs)
        XCTAssertEqual(m.flags, .emptyReference)
    }

    func testSurfaceDistancesOfAnEmptyMaskAreNil() throws {
        XCTAssertNil(try SurfaceDistances(prediction: empty, reference: cube))
        XCTAssertNil(try SurfaceDistances(prediction: cube, reference: empty))
        XCTAssertNotNil(try SurfaceDistances(prediction: cube, reference: cube))
    }

    func testOrdinaryCaseHasNoFlags() throws {
        let m = try evaluate(prediction: cube, reference: cube)
        XCTAssertEqual(m.flags, [])
        XCTAssertEqual(m.assd, 0)
        XCTAssertEqual(m.hd95, 0)
        XCTAssertEqual(m.flags.description, "ok")
    }
}
