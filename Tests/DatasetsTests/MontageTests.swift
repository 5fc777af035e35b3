import BitmapText
import XCTest

@testable import Datasets

/// The phantom's montage (docs/phantom.png) says what it shows: each row's site, each tile's
/// slice index, and a legend of the outline colours. It used to carry no text at all.
final class MontageTests: XCTestCase {
    private static let cases = Phantom.generate(PhantomSettings(cases: 4, seed: 1, inPlaneSize: 32))

    /// The pixels of the box `label` covers, and what they must be: the label's text in its
    /// colour, drawn with the bitmap font on the white sheet and nothing else.
    private func check(_ label: Montage.Label, in sheet: (width: Int, height: Int, rgb: [UInt8], labels: [Montage.Label]), scale: Int,
                       line: UInt = #line) {
        let width = BitmapFont.width(of: label.text, scale: scale), height = BitmapFont.height(scale: scale)
        guard label.x >= 0, label.y >= 0, label.x + width <= sheet.width, label.y + height <= sheet.height else {
            return XCTFail("\(label.text) is off the sheet", line: line)
        }
        var expected = [UInt8](repeating: 255, count: width * height * 3)
        BitmapFont.draw(label.text, into: &expected, width: width, height: height, x: 0, y: 0, scale: scale,
                        colour: (label.colour[0], label.colour[1], label.colour[2]))
        var found: [UInt8] = []
        for y in label.y..<(label.y + height) {
            let start = (y * sheet.width + label.x) * 3
            found += sheet.rgb[start..<(start + width * 3)]
        }
        XCTAssertTrue(found == expected, "\(label.text) at (\(label.x), \(label.y)) is not drawn as the font draws it", line: line)
        XCTAssertTrue(found.contains { $0 != 255 }, "\(label.text) has ink", line: line)
    }

    func testEachRowHasItsSiteEachTileItsSliceAndTheLegendItsColours() throws {
        let sheet = Montage.render(Self.cases, tile: 128)
        let texts = sheet.labels.map(\.text)
        for item in Self.cases {
            XCTAssertTrue(texts.contains("SITE \(item.site)"), "\(texts)")
            XCTAssertTrue(texts.contains(item.id), "\(texts)")
        }
        XCTAssertEqual(Set(Self.cases.map(\.site)).count, 4, "one row per site")
        let tileLabels = sheet.labels.filter { $0.text.hasPrefix("Z=") }
        XCTAssertEqual(tileLabels.map(\.text), Self.cases.flatMap { Montage.slices(of: $0).map { "Z=\($0)" } }, "every tile, row by row")
        XCTAssertEqual(Array(texts.suffix(3)), Montage.legend)
        XCTAssertTrue(Montage.legend[0].contains("CENTRAL SLICE") && Montage.legend[0].contains("GIVEN TO TRAINING"))
        XCTAssertTrue(Montage.legend[1].contains("HIDDEN FROM TRAINING"))

        for label in sheet.labels { check(label, in: sheet, scale: 2) }
        let swatches = sheet.labels.compactMap(\.swatch)
        XCTAssertEqual(swatches.map(\.colour), [Montage.centralColour, Montage.hiddenColour])
        for swatch in swatches {
            let at = ((swatch.y + swatch.size / 2) * sheet.width + swatch.x + swatch.size / 2) * 3
            XCTAssertEqual(Array(sheet.rgb[at..<(at + 3)]), swatch.colour)
        }
    }

    /// Small tiles get the font at its own size, and the sheet grows to hold the legend.
    func testSmallTilesStillHoldEveryLabel() {
        let sheet = Montage.render(Array(Self.cases.prefix(1)), tile: 24)
        XCTAssertEqual(sheet.labels.count, 2 + 7 + 3)
        for label in sheet.labels { check(label, in: sheet, scale: 1) }
    }
}
