import CHDF5
import COpenBLAS
import CZeroMQ
import CZlib
import XCTest

/// Each C library links and answers a question only a working library can.
final class SystemLibrariesTests: XCTestCase {
    func testZeroMQIsAtLeast4_3WithCurve() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        XCTAssertGreaterThanOrEqual(major * 100 + minor, 403, "libzmq \(major).\(minor).\(patch) is older than 4.3")
        XCTAssertEqual(zmq_has("curve"), 1, "libzmq was built without CURVE")
    }

    func testZeroMQCurveKeypairIsZ85() {
        var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
        XCTAssertEqual(zmq_curve_keypair(&publicKey, &secretKey), 0)
        let z85 = publicKey.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        XCTAssertEqual(z85.count, 40)
    }

    func testHDF5ReportsItsVersion() {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        XCTAssertGreaterThanOrEqual(H5get_libversion(&major, &minor, &release), 0)
        XCTAssertGreaterThanOrEqual(major * 100 + minor, 110, "HDF5 \(major).\(minor).\(release) is older than 1.10")
    }

    func testSgemmMatchesAHandComputedProduct() {
        // [1 2 3; 4 5 6] (2x3) times [7 8; 9 10; 11 12] (3x2) = [58 64; 139 154]
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: -1, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 1, a, 3, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    func testZlibRoundTrip() {
        let input = [UInt8](repeating: 42, count: 1000)
        var compressedLength = compressBound(uLong(input.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        XCTAssertEqual(compress(&compressed, &compressedLength, input, uLong(input.count)), Z_OK)
        XCTAssertLessThan(Int(compressedLength), input.count / 10)
        var outputLength = uLong(input.count)
        var output = [UInt8](repeating: 0, count: input.count)
        XCTAssertEqual(uncompress(&output, &outputLength, compressed, compressedLength), Z_OK)
        XCTAssertEqual(output, input)
    }
}
