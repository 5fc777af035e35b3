import BitmapText
import XCTest

/// The bitmap font's glyphs, measures and drawing.
final class BitmapFontTests: XCTestCase {
    /// The lit pixels of `pixels` (RGB, `width` wide) as "x,y" strings.
    private func lit(_ pixels: [UInt8], width: Int) -> Set<String> {
        Set(stride(from: 0, to: pixels.count, by: 3).filter { pixels[$0] != 0 }.map { "\($0 / 3 % width),\($0 / 3 / width)" })
    }

    func testAGlyphIsDrawnScaledAtItsPlaceInItsColour() {
        var pixels = [UInt8](repeating: 0, count: 20 * 20 * 3)
        BitmapFont.draw("-", into: &pixels, width: 20, height: 20, x: 3, y: 2, scale: 2, colour: (9, 8, 7))
        // "-" is the middle row (3 of 0...6), all five columns: 10 x 2 pixels at scale 2.
        let expected = Set((0..<10).flatMap { dx in [0, 1].map { dy in "\(3 + dx),\(2 + 6 + dy)" } })
        XCTAssertEqual(lit(pixels, width: 20), expected)
        XCTAssertEqual(Array(pixels[3 * (8 * 20 + 3)..<3 * (8 * 20 + 3) + 3]), [9, 8, 7])
    }

    func testTextOutsideTheImageIsClippedAndMeasuresAreConsistent() {
        var pixels = [UInt8](repeating: 0, count: 4 * 4 * 3)
        BitmapFont.draw("SITE A", into: &pixels, width: 4, height: 4, x: -2, y: -3, scale: 1, colour: (255, 255, 255))
        XCTAssertEqual(pixels.count, 4 * 4 * 3)
        XCTAssertEqual(BitmapFont.width(of: "AB", scale: 2), (2 * 6 - 1) * 2)
        XCTAssertEqual(BitmapFont.height(scale: 3), 21)
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"), "lower case is drawn as upper case")
        XCTAssertEqual(BitmapFont.glyph("~"), BitmapFont.glyph("?"))
    }
}
