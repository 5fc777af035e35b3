import Foundation
import XCTest

@testable import Reports

/// Figure 2: its size follows the layout, and contours land where the masks' borders are.
final class FigureTests: XCTestCase {
    /// A 20 x 20 slice (scaled 8x to 160 px): reference square rows/columns 5..14, Ours' square
    /// 8..17, MT's empty.
    private func row() -> Figure2.Row {
        func square(_ from: Int, _ to: Int) -> [UInt8] {
            (0..<400).map { i in (from...to).contains(i / 20) && (from...to).contains(i % 20) ? 1 : 0 }
        }
        return Figure2.Row(caseID: "Case07", fold: 2, slice: 11, ny: 20, nx: 20, image: (0..<400).map { Float($0 / 20) },
                           reference: square(5, 14), predictions: [("ours", square(8, 17), 0.49), ("mt", [UInt8](repeating: 0, count: 400), 0)])
    }

    func testDimensionsFollowTheLayout() {
        let (image, layout) = Figure2.render([row(), row()])
        XCTAssertEqual(layout.scales, [8, 8])
        XCTAssertEqual(layout.panelWidth, 160)
        XCTAssertEqual(layout.columns, 3)
        XCTAssertEqual(image.width, layout.width)
        XCTAssertEqual(image.height, layout.height)
        XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
        // Panels sit side by side and below each other without overlapping.
        let a = layout.panelOrigin(row: 0, column: 1), b = layout.panelOrigin(row: 1, column: 2)
        XCTAssertGreaterThanOrEqual(b.x - a.x, 160)
        XCTAssertGreaterThanOrEqual(b.y - a.y, 160)
        XCTAssertLessThanOrEqual(b.x + 160, image.width)
        XCTAssertLessThanOrEqual(b.y + 160, image.height)
    }

    func testContoursAppearInTheMethodColourWhereTheBorderIs() {
        let (image, layout) = Figure2.render([row()])
        let ours = MethodCatalogue.info("ours").colour, reference = MethodCatalogue.referenceColour
        let oursColour = [ours.0, ours.1, ours.2], referenceColour = [reference.0, reference.1, reference.2]
        let (x0, y0) = layout.panelOrigin(row: 0, column: 1)
        // Ours' square starts at column 8 -> pixel 64; its bottom-right ends at pixel 17 * 8 + 7 = 143.
        XCTAssertEqual(image[x0 + 64, y0 + 100], oursColour)
        XCTAssertEqual(image[x0 + 143, y0 + 100], oursColour)
        XCTAssertEqual(image[x0 + 100, y0 + 143], oursColour)
        // The contour is two pixels thick (64, 65): pixel 66 is the grey image again, as is 63.
        XCTAssertEqual(image[x0 + 65, y0 + 100], oursColour)
        XCTAssertEqual(Set(image[x0 + 66, y0 + 100]).count, 1)
        XCTAssertEqual(Set(image[x0 + 63, y0 + 100]).count, 1)
        // The reference square's left border (pixel 40) is outside Ours' square: reference colour.
        XCTAssertEqual(image[x0 + 40, y0 + 60], referenceColour)
        // Inside both squares, away from borders: the grey image (row 12 of the ramp).
        let inside = image[x0 + 100, y0 + 100]
        XCTAssertEqual(Set(inside).count, 1, "expected grey, found \(inside)")
        // The reference-only column has no Ours contour at that place.
        let (r0x, r0y) = layout.panelOrigin(row: 0, column: 0)
        XCTAssertNotEqual(image[r0x + 143, r0y + 100], oursColour)
        // MT predicted nothing: its panel holds no MT-coloured pixel.
        let mt = MethodCatalogue.info("mt").colour
        let (mx, my) = layout.panelOrigin(row: 0, column: 2)
        var mtPixels = 0
        for y in my..<(my + 160) { for x in mx..<(mx + 160) where image[x, y] == [mt.0, mt.1, mt.2] { mtPixels += 1 } }
        XCTAssertEqual(mtPixels, 0)
        // Labels are drawn: Ours' column title uses Ours' colour above the panel.
        var titlePixels = 0
        for y in 0..<(y0 - 20) { for x in x0..<(x0 + 60) where image[x, y] == oursColour { titlePixels += 1 } }
        XCTAssertGreaterThan(titlePixels, 20)
    }

    func testContourThicknessAndEdges() {
        // A mask touching the panel edge: the edge counts as border.
        let full = [UInt8](repeating: 1, count: 4)
        let contour = Figure2.contour(full, ny: 2, nx: 2, scale: 1)
        XCTAssertEqual(contour, [true, true, true, true])
        let scaled = Figure2.contour([0, 0, 0, 0, 1, 0, 0, 0, 0], ny: 3, nx: 3, scale: 4)
        // The single voxel becomes a 4 x 4 block at (4..7, 4..7), border two pixels thick: all 16.
        XCTAssertEqual(scaled.filter { $0 }.count, 16)
        let big = Figure2.contour([UInt8](repeating: 1, count: 100), ny: 10, nx: 10, scale: 4)
        XCTAssertEqual(big.filter { $0 }.count, 40 * 40 - 36 * 36)
        // A 512-pixel panel gets a 4-pixel border.
        let large = Figure2.contour([UInt8](repeating: 1, count: 256 * 256), ny: 256, nx: 256, scale: 2)
        XCTAssertEqual(large.filter { $0 }.count, 512 * 512 - 504 * 504)
    }

    func testFigureFromRunDirectoryPicksCasesOverOursDice() throws {
        let fixture = try RunFixture()
        defer { fixture.remove() }
        try fixture.writeMetrics("ours", fold: 0, cases: [
            RunFixture.row("A", dice: 0.9, assd: 1, ravd: 0), RunFixture.row("B", dice: 0.5, assd: 1, ravd: 0),
            RunFixture.row("C", dice: 0.7, assd: 1, ravd: 0), RunFixture.row("D", dice: 0.8, assd: 1, ravd: 0),
        ])
        try fixture.writeMetrics("fs-lcs", fold: 0, cases: [RunFixture.row("A", dice: 0.4, assd: 1, ravd: 0)])
        let slices: [(id: String, slice: Int, reference: (Int, Int, Int), prediction: (Int, Int, Int))] =
            ["A", "B", "C", "D"].map { ($0, 4, (3, 3, 8), (4, 4, 8)) }
        try fixture.writeFigureSlices("ours", fold: 0, size: 32, cases: slices)
        try fixture.writeFigureSlices("fs-lcs", fold: 0, size: 32, cases: slices)
        try Report.generate(runDirectory: fixture.url, figureCases: 3)

        let run = try RunDirectory.load(fixture.url)
        let rows = try Figure2.loadRows(run, summaries: MethodSummary.summarise(run), count: 3)
        // Worst, middle and best by Ours' Dice: B (0.5), C or D, A (0.9).
        XCTAssertEqual(rows.map(\.caseID), ["B", "D", "A"])
        XCTAssertEqual(rows[0].predictions.map(\.method), ["fs-lcs", "ours"])
        XCTAssertEqual(rows[2].predictions[0].dice, 0.4)
        let png = [UInt8](try Data(contentsOf: fixture.path("figure.png")))
        let width = Int(png[16]) << 24 | Int(png[17]) << 16 | Int(png[18]) << 8 | Int(png[19])
        let height = Int(png[20]) << 24 | Int(png[21]) << 16 | Int(png[22]) << 8 | Int(png[23])
        let (image, _) = Figure2.render(rows)
        XCTAssertEqual([width, height], [image.width, image.height])
        XCTAssertTrue(try fixture.read("table.md").contains("Figure 2 for B (fold 0, slice 4), D (fold 0, slice 4), A (fold 0, slice 4)"))
    }

    func testSlicesThatDisagreeAcrossMethodsAreAnError() throws {
        let fixture = try RunFixture()
        defer { fixture.remove() }
        try fixture.writeMetrics("ours", fold: 0, cases: [RunFixture.row("A", dice: 0.9, assd: 1, ravd: 0)])
        try fixture.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.9, assd: 1, ravd: 0)])
        try fixture.writeFigureSlices("ours", fold: 0, size: 8, cases: [("A", 4, (1, 1, 3), (1, 1, 3))])
        try fixture.writeFigureSlices("mt", fold: 0, size: 8, cases: [("A", 5, (1, 1, 3), (1, 1, 3))])
        XCTAssertThrowsError(try Report.generate(runDirectory: fixture.url)) { error in
            XCTAssertTrue("\(error)".contains("figure_slices.h5: /A: slice 4 of shape [8, 8] differs from the other methods' slice 5"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("figure.png").path))
    }
}
