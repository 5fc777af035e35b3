import Datasets
import Foundation
import SharedTestSupport
import VoxelGeometry
import XCTest

/// A fresh temporary directory for one test, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "sparseseg-datasets-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// A small hand-made case: a box of foreground in slices 1...3 of a 5-slice volume.
func boxCase(id: String, site: String, size: Int = 8, original: Int = 12, slices: Int = 5) -> StoredCase {
    let shape = VolumeShape(nz: slices, ny: size, nx: size)
    var label = [UInt8](repeating: 0, count: shape.count)
    var image = [Float](repeating: 0, count: shape.count)
    for z in 0..<slices {
        for y in 0..<size {
            for x in 0..<size {
                let i = shape.index(x: x, y: y, z: z)
                image[i] = Float(i % 97) / 97
                if (1...3).contains(z) && (2..<6).contains(x) && (2..<6).contains(y) { label[i] = 1 }
            }
        }
    }
    let originalShape = VolumeShape(nz: slices, ny: original, nx: original)
    let mapping = InPlaneMapping(original: SliceSize(square: original), stored: SliceSize(square: size))
    let originalLabel = (0..<slices).flatMap { z in
        mapping.maskToOriginal(Array(label[(z * size * size)..<((z + 1) * size * size)]))
    }
    let originalSpacing = Spacing(x: 0.5, y: 0.5, z: 3)
    let orientation = Orientation(origin: [1, 2, 3], direction: [0, 1, 0, 1, 0, 0, 0, 0, -1])
    return StoredCase(
        id: id, site: site,
        image: Volume(shape: shape, spacing: mapping.storedSpacing(originalSpacing), orientation: orientation, voxels: image),
        label: Volume(shape: shape, spacing: mapping.storedSpacing(originalSpacing), orientation: orientation, voxels: label),
        originalLabel: Volume(shape: originalShape, spacing: originalSpacing, orientation: orientation, voxels: originalLabel),
        sourceFile: "/data/\(id).mhd")
}

/// The `sparseseg` executable built beside the test bundle (`swift build --build-tests` and
/// `swift test` build it); without it the test is skipped, or under CI fails.
func sparsesegExecutable() throws -> String {
    let binary = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("sparseseg").path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        try skipUnlessCI("the sparseseg executable is not built beside the tests (\(binary)): the command-line check did not run")
    }
    return binary
}
