import CZlib
import PNG
import XCTest

final class PNGTests: XCTestCase {
    func testGreyImageHasSignatureHeaderAndDecodableData() throws {
        let pixels: [UInt8] = [0, 64, 128, 255, 10, 20]
        let png = try PNG.encode(width: 3, height: 2, colorType: .grey, pixels: pixels)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(String(decoding: png[12..<16], as: UTF8.self), "IHDR")
        XCTAssertEqual(Array(png[16..<24]), [0, 0, 0, 3, 0, 0, 0, 2])
        XCTAssertEqual(png[24], 8)  // bit depth
        XCTAssertEqual(png[25], 0)  // grey

        // IDAT follows IHDR (8 + 25 bytes in); its data inflates to filter byte + row, per row.
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        XCTAssertEqual(String(decoding: png[37..<41], as: UTF8.self), "IDAT")
        let idat = Array(png[41..<(41 + idatLength)])
        var outLength = uLong(8)
        var out = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(uncompress(&out, &outLength, idat, uLong(idat.count)), Z_OK)
        XCTAssertEqual(out, [0, 0, 64, 128, 0, 255, 10, 20])
        XCTAssertEqual(String(decoding: png.suffix(8).prefix(4), as: UTF8.self), "IEND")
        // The CRC of an empty IEND chunk is the well-known constant AE 42 60 82.
        XCTAssertEqual(Array(png.suffix(4)), [0xAE, 0x42, 0x60, 0x82])
    }

    func testWrongPixelCountIsRefused() {
        XCTAssertThrowsError(try PNG.encode(width: 2, height: 2, colorType: .rgb, pixels: [1, 2, 3])) { error in
            XCTAssertTrue("\(error)".contains("needs 12 bytes, given 3"))
        }
    }
}
