import Datasets
import Foundation
import XCTest

/// Round trips through our own writers and readers, for every format and element type.
final class ImageFormatTests: XCTestCase {
    /// An image using `type`'s extremes and a rotated, offset geometry.
    private func sample(_ type: ElementType, dimensions: Int = 3) -> MedicalImage {
        let size = dimensions == 3 ? [5, 4, 3] : [5, 4]
        let count = size.reduce(1, *)
        let range: (Double, Double) = switch type {
        case .uint8: (0, 255)
        case .int8: (-128, 127)
        case .uint16: (0, 65535)
        case .int16: (-32768, 32767)
        case .uint32: (0, 4_294_967_295)
        case .int32: (-2_147_483_648, 2_147_483_647)
        case .float32: (-3.5e38, 3.5e38)
        case .float64: (-1.7e308, 1.7e308)
        }
        let floor = max(range.0, -50)
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let step = Double(i)
            let pattern = Double((i * 37) % 101)
            values[i] = type.isFloatingPoint ? step * 0.125 - 2 : pattern + floor
        }
        values[0] = type == .float32 ? Double(Float(range.0)) : range.0
        values[1] = type == .float32 ? Double(Float(range.1)) : range.1
        if type == .float64 { values[2] = 0.1 }
        let c = cos(0.3), s = sin(0.3)
        let direction: [Double] = dimensions == 3 ? [c, -s, 0, s, c, 0, 0, 0, 1] : [c, -s, s, c]
        return MedicalImage(size: size, spacing: dimensions == 3 ? [0.55, 0.6, 3.3] : [0.55, 0.6],
                            origin: dimensions == 3 ? [-12.5, 40, 7.25] : [-12.5, 40], direction: direction, elementType: type, values: values)
    }

    private func assertSame(_ a: MedicalImage, _ b: MedicalImage, _ message: String, geometryTolerance: Double = 1e-12) {
        XCTAssertEqual(a.size, b.size, message)
        XCTAssertEqual(a.elementType, b.elementType, message)
        XCTAssertEqual(a.values, b.values, message)
        for (x, y) in zip(a.spacing, b.spacing) { XCTAssertEqual(x, y, accuracy: geometryTolerance * 10, message) }
        for (x, y) in zip(a.origin, b.origin) { XCTAssertEqual(x, y, accuracy: geometryTolerance * 100, message) }
        for (x, y) in zip(a.direction, b.direction) { XCTAssertEqual(x, y, accuracy: geometryTolerance, message) }
    }

    func testMetaImageRoundTripsEveryTypeInEveryLayout() throws {
        let directory = try temporaryDirectory(self)
        for type in ElementType.allCases {
            for dimensions in [2, 3] {
                let image = sample(type, dimensions: dimensions)
                for (name, compressed, bigEndian) in [("a.mha", false, false), ("b.mhd", false, false), ("c.mhd", true, false), ("d.mha", true, true), ("e.mhd", false, true)] {
                    let path = "\(directory)/\(type)-\(dimensions)-\(name)"
                    try MetaImage.write(image, to: path, compressed: compressed, bigEndian: bigEndian)
                    assertSame(try MetaImage.read(path), image, "\(type) \(dimensions)D \(name)")
                }
            }
        }
        // The external data file sits beside the header, named after it.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory)/uint8-3-b.raw"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory)/uint8-3-c.zraw"))
    }

    func testNIfTIRoundTripsEveryType() throws {
        let directory = try temporaryDirectory(self)
        for type in ElementType.allCases {
            for dimensions in [2, 3] {
                let image = sample(type, dimensions: dimensions)
                for name in ["a.nii", "b.nii.gz"] {
                    let path = "\(directory)/\(type)-\(dimensions)-\(name)"
                    try NIfTI.write(image, to: path)
                    // NIfTI stores geometry as float32.
                    assertSame(try NIfTI.read(path), image, "\(type) \(dimensions)D \(name)", geometryTolerance: 1e-6)
                }
            }
        }
        let compressed = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/int16-3-b.nii.gz"))
        XCTAssertEqual(Array(compressed.prefix(2)), [0x1F, 0x8B])
    }

    func testLeftHandedOrientationsSurviveTheQuaternion() throws {
        let path = try temporaryDirectory(self) + "/flip.nii.gz"
        // A z axis pointing down (determinant -1) needs qfac = -1 in the qform.
        var image = sample(.float32)
        image.direction = [0, 1, 0, 1, 0, 0, 0, 0, -1]
        try NIfTI.write(image, to: path)
        let read = try NIfTI.read(path)
        for (x, y) in zip(read.direction, image.direction) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }

    func testTrailingUnitDimensionsAreIgnored() throws {
        let path = try temporaryDirectory(self) + "/five.nii"
        let image = sample(.int16)
        try NIfTI.write(image, to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[40] = 5  // dim[0] = 5 with dim[4] = dim[5] = 1, as some tools write 3D images
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try NIfTI.read(path).values, image.values)
        bytes[40] = 6
        bytes[52] = 2  // dim[6] = 2: a real sixth dimension
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try NIfTI.read(path)) { XCTAssertEqual(($0 as? DataError)?.field, "dim[0]") }
    }

    func testAPredictedMaskIsWrittenAsNIfTI() throws {
        let path = try temporaryDirectory(self) + "/prediction.nii.gz"
        let mask = boxCase(id: "P", site: "A").originalLabel
        try mask.writeNIfTI(to: path)
        let read = try NIfTI.read(path)
        XCTAssertEqual(read.elementType, .uint8)
        XCTAssertEqual(read.labelVolume.voxels, mask.voxels)
        XCTAssertEqual(read.labelVolume.shape, mask.shape)
        for (a, b) in zip(read.spacing, mask.spacing.xyz) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for (a, b) in zip(read.direction, mask.orientation.direction) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testGzipRoundTripAndStatistics() throws {
        let bytes = (0..<5000).map { UInt8(($0 * 7) % 251) }
        XCTAssertEqual(try Zlib.decompress(Zlib.compress(bytes, format: .gzip), file: "x", field: "y"), bytes)
        XCTAssertEqual(try Zlib.decompress(Zlib.compress(bytes, format: .zlib), file: "x", field: "y"), bytes)
        let image = MedicalImage(size: [2, 2], spacing: [1, 1], elementType: .int16, values: [-2, 4, 6, 0])
        let summary = ImageSummary(image)
        XCTAssertEqual(summary.min, -2)
        XCTAssertEqual(summary.max, 6)
        XCTAssertEqual(summary.mean, 2)
        XCTAssertEqual(summary.type, "int16")
    }
}
