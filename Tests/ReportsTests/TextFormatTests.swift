import XCTest

@testable import Reports

/// CSV and Markdown as other tools read them.
final class TextFormatTests: XCTestCase {
    func testCSVQuotesOnlyWhatNeedsQuoting() {
        var table = TextTable(header: ["a", "b", "c"])
        table.append(["plain", "with, comma", "say \"hi\""])
        table.append(["line\nbreak", TextTable.undefined, ""])
        XCTAssertEqual(table.csv, "a,b,c\nplain,\"with, comma\",\"say \"\"hi\"\"\"\n\"line\nbreak\",NA,\n")
        XCTAssertEqual(parseCSV(table.csv), [["a", "b", "c"], ["plain", "with, comma", "say \"hi\""], ["line\nbreak", "NA", ""]])
    }

    func testCSVNumbers() {
        XCTAssertEqual(TextTable.exact(0.1), "0.1")
        XCTAssertEqual(TextTable.exact(nil), "NA")
        XCTAssertEqual(TextTable.number(2.0 / 3), "0.666667")
        XCTAssertEqual(TextTable.number(nil), "NA")
    }

    func testMarkdownTableShapeAndEscaping() {
        var table = TextTable(header: ["Method", "|RAVD|"])
        table.append(["A | B", "0.1"])
        let lines = table.markdown.split(separator: "\n")
        XCTAssertEqual(lines, ["| Method | \\|RAVD\\| |", "| --- | --- |", "| A \\| B | 0.1 |"])
        // Every line has as many unescaped separators as the header.
        let pipes = lines.map { line in line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        XCTAssertEqual(Set(pipes), [3])
    }

    func testNumberFormats() {
        XCTAssertEqual(Format.pValue(0.03125), "0.0312")
        XCTAssertEqual(Format.pValue(0.00001234), "1.23e-05")
        XCTAssertEqual(Format.pValue(nil), "n/a")
        XCTAssertEqual(Format.duration(59), "59.0 s")
        XCTAssertEqual(Format.duration(600), "10.0 min")
        XCTAssertEqual(Format.duration(9000), "2.50 h")
    }

    func testTableCellsShowMeanSDAndUndefinedCount() {
        let summary = ColumnSummary([0.5, 0.7, nil])
        XCTAssertEqual(TableDocuments.cell(summary, .dice), "60.0 ± 14.1 (1 undefined)")
        XCTAssertEqual(TableDocuments.cell(ColumnSummary([2.5]), .assd), "2.50 ± n/a")
        XCTAssertEqual(TableDocuments.cell(ColumnSummary([nil, nil]), .assd), "n/a (2 undefined)")
    }

    /// A method identical to Ours on every case has no non-zero difference: the cell used to
    /// read "n/a (n=0, exact)", as if an exact test had been made.
    func testAPValueCellWithoutNonZeroDifferencesSaysSo() throws {
        let tied = WilcoxonResult(pairs: 3, nonZero: 0, rankSumPositive: 0, rankSumNegative: 0, pValue: nil, method: .exact)
        XCTAssertEqual(TableDocuments.testCell(tied), "n/a (no non-zero differences in 3 pairs)")
        XCTAssertEqual(TableDocuments.testCell(WilcoxonResult(pairs: 0, nonZero: 0, rankSumPositive: 0, rankSumNegative: 0, pValue: nil, method: .exact)),
                       "n/a (no paired cases)")

        let fixture = try RunFixture()
        defer { fixture.remove() }
        let rows = [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0.1), RunFixture.row("B", dice: 0.7, assd: 2, ravd: 0.2)]
        try fixture.writeMetrics("ours", fold: 0, cases: rows)
        try fixture.writeMetrics("mt", fold: 0, cases: rows)
        try Report.generate(runDirectory: fixture.url)
        let table = try fixture.read("table.md")
        XCTAssertTrue(table.contains("| n/a (no non-zero differences in 2 pairs) |"), table)
        XCTAssertFalse(table.contains("n=0"), table)
        let mt = try XCTUnwrap(csvDictionaries(try fixture.read("table.csv")).first { $0["method"] == "mt" })
        XCTAssertEqual(mt["p_dice_vs_ours"], "NA")
        XCTAssertEqual(mt["n_dice_nonzero_pairs"], "0")
        XCTAssertEqual(mt["test_dice"], "NA", "no test was made")
    }

    /// cases.csv's Dice and IoU are fractions and table.csv's percentages: the columns say
    /// which (they were "dice" and "iou").
    func testCasesCSVHeader() throws {
        let fixture = try RunFixture()
        defer { fixture.remove() }
        try fixture.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 1, ravd: 0.1)])
        try Report.generate(runDirectory: fixture.url)
        let lines = try fixture.read("cases.csv").split(separator: "\n")
        XCTAssertEqual(lines.first, "method,fold,seed,case,site,dice_fraction,iou_fraction,assd_mm,assd_pooled_mm,ravd,ravd_abs,hd95_mm,"
                       + "dice_gland_slices_fraction,fp_ml_gland_free,flags")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(csvDictionaries(try fixture.read("cases.csv"))[0]["dice_fraction"], "0.5")
        XCTAssertEqual(csvDictionaries(try fixture.read("table.csv"))[0]["dice_pct_mean"], "50")
    }
}
