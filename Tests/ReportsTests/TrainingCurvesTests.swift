import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SharedTestSupport
@testable import Reports
import XCTest

/// `report` draws curves/<method>.png from the jobs' scalars.csv, validation.csv or (older
/// jobs) losses.csv, and index.html embeds the same pictures.
final class TrainingCurvesTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws {
        fixture = try RunFixture()
        let f = fixture!
        try f.writeFolds([["A"], ["B"]])
        try f.writeJobs([("ours", 0), ("ours", 1), ("mt", 0), ("ict", 0)])
        for (method, fold, dice) in [("ours", 0, 0.8), ("ours", 1, 0.7), ("mt", 0, 0.5), ("ict", 0, 0.4)] {
            try f.writeMetrics(method, fold: fold, cases: [RunFixture.row(fold == 0 ? "A" : "B", dice: dice, assd: 1, ravd: 0)])
        }
        // Ours: two phases of 40 steps each, validated after each of 4 epochs.
        for fold in 0...1 {
            var scalars = "phase,epoch,step,global_step,learning_rate,loss,supervised\n"
            for step in 1...80 {
                scalars += "\(step <= 40 ? "semi-warmup" : "final"),\((step - 1) / 20 + 1),\((step - 1) % 20 + 1),\(step),0.001,\(2.0 / Double(step + fold)),0.5\n"
            }
            try f.write("jobs/ours/fold\(fold)/seed7/scalars.csv", scalars)
            try f.write("jobs/ours/fold\(fold)/seed7/validation.csv",
                        "phase,epoch,global_step,val_dice,val_cases\n" + (1...4).map { "x,\($0),\($0 * 20),\(0.2 * Double($0) - 0.05 * Double(fold)),2\n" }.joined())
        }
        try f.write("jobs/mt/fold0/seed7/scalars.csv", "phase,epoch,step,global_step,learning_rate,consistency_weight,loss\ntrain,1,1,1,0.1,0.0,0.9\ntrain,1,2,2,0.1,0.0,0.6\n")
        try f.write("jobs/ict/fold0/seed7/losses.csv", "phase,epoch,loss\ntrain,1,0.8\ntrain,2,0.4\n")
        try f.write("curves/gone.png", "an earlier report's picture of a method no longer in the run")
    }

    override func tearDown() { fixture.remove() }

    private func png(_ relative: String) throws -> PNGFacts { try PNGFacts([UInt8](try Data(contentsOf: fixture.path(relative)))) }

    func testEveryMethodWithLossesGetsAPictureThatShowsItsJobs() throws {
        let outcome = try Report.generate(runDirectory: fixture.url)
        let written = Set(outcome.written.map { $0.path.replacingOccurrences(of: fixture.url.path + "/", with: "") })
        XCTAssertTrue(written.isSuperset(of: ["curves/ours.png", "curves/mt.png", "curves/ict.png"]), "\(written)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.path("curves/gone.png").path), "a stale picture stayed")

        let run = try RunDirectory.load(fixture.url)
        let ours = TrainingCurves.load(run, method: "ours")
        XCTAssertEqual(ours.map(\.fold), [0, 1])
        XCTAssertEqual(ours[0].loss.count, 80)
        XCTAssertEqual(ours[0].phaseStarts, [41])
        for (value, expected) in zip(ours[1].validation.map(\.y), [0.15, 0.35, 0.55, 0.75]) { XCTAssertEqual(value, expected, accuracy: 1e-12) }
        XCTAssertEqual(ours[1].validation.map(\.x), [20, 40, 60, 80])
        XCTAssertEqual(TrainingCurves.load(run, method: "ict").first?.perStep, false)

        // The file is what the renderer draws, and the drawing is not blank: each job's colour
        // appears in the loss plot, and in the Dice plot for Ours.
        let (image, layout) = TrainingCurves.render(MethodCatalogue.info("ours"), ours)
        let file = try png("curves/ours.png")
        XCTAssertEqual([file.width, file.height], [image.width, image.height])
        XCTAssertEqual(file.rgbPixels, image.pixels)
        XCTAssertEqual(layout.plotTops.count, 2)
        for (job, colour) in TrainingCurves.palette.prefix(2).enumerated() {
            for (plot, top) in layout.plotTops.enumerated() {
                let count = (top..<(top + TrainingCurves.Layout.plotHeight)).reduce(0) { total, y in
                    total + (TrainingCurves.Layout.plotLeft..<image.width).filter { x in image[x, y] == [colour.0, colour.1, colour.2] }.count
                }
                XCTAssertGreaterThan(count, 50, "job \(job) in plot \(plot)")
            }
        }
        // Without validation, one plot and a shorter picture.
        let mt = try png("curves/mt.png")
        XCTAssertEqual(mt.width, file.width)
        XCTAssertLessThan(mt.height, file.height)
    }

    func testTheIndexEmbedsTheSamePictures() throws {
        try Report.generate(runDirectory: fixture.url)
        let parser = XMLParser(data: try Data(contentsOf: fixture.path("index.html")))
        final class Images: NSObject, XMLParserDelegate {
            var sources: [String: String] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
                if name == "img", let alt = attributes["alt"], let src = attributes["src"] { sources[alt] = src }
            }
        }
        let images = Images()
        parser.delegate = images
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "?")")
        for (method, label) in [("ours", "Ours"), ("mt", "MT"), ("ict", "ICT")] {
            let src = try XCTUnwrap(images.sources["\(label) training curves"], "\(images.sources.keys)")
            let prefix = "data:image/png;base64,"
            XCTAssertTrue(src.hasPrefix(prefix))
            XCTAssertEqual(Data(base64Encoded: String(src.dropFirst(prefix.count))), try Data(contentsOf: fixture.path("curves/\(method).png")))
        }
    }
}
