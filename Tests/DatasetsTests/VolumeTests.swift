import Datasets
import VoxelGeometry
import XCTest

final class VolumeTests: XCTestCase {
    func testIndexIsXFastestThenYThenZ() {
        let shape = VolumeShape(nz: 2, ny: 3, nx: 4)
        XCTAssertEqual(shape.dims, [2, 3, 4])
        XCTAssertEqual(shape.index(x: 1, y: 0, z: 0), 1)
        XCTAssertEqual(shape.index(x: 0, y: 1, z: 0), 4)
        XCTAssertEqual(shape.index(x: 0, y: 0, z: 1), 12)
        XCTAssertEqual(shape.index(x: 3, y: 2, z: 1), 23)
        XCTAssertEqual(VolumeShape([2, 3, 4]), shape)
    }

    func testSubscriptAndSlicesAgreeWithTheLayout() {
        let shape = VolumeShape(nz: 2, ny: 2, nx: 3)
        var volume = Volume(shape: shape, spacing: Spacing(x: 0.6, y: 0.7, z: 3.5), voxels: Array(0..<12).map(Float.init))
        XCTAssertEqual(volume[2, 1, 1], 11)
        XCTAssertEqual(volume.slice(1), [6, 7, 8, 9, 10, 11])
        volume[0, 1, 0] = -1
        XCTAssertEqual(volume.voxels[3], -1)
        XCTAssertEqual(volume.slices.count, 2)
        XCTAssertEqual(volume.spacing.xyz, [0.6, 0.7, 3.5])
    }

    func testLabelledSlices() {
        let shape = VolumeShape(nz: 4, ny: 2, nx: 2)
        var voxels = [UInt8](repeating: 0, count: 16)
        voxels[shape.index(x: 1, y: 1, z: 1)] = 1
        voxels[shape.index(x: 0, y: 0, z: 3)] = 1
        XCTAssertEqual(Volume(shape: shape, spacing: Spacing(x: 1, y: 1, z: 1), voxels: voxels).labelledSlices, [1, 3])
    }
}
