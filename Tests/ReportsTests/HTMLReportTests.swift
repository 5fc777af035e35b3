import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

@testable import Reports

/// index.html of a hand-made run: self-contained, well-formed, and holding what the page
/// promises (the table, plots, sites, curves, the figure, failures, timing, settings).
final class HTMLReportTests: XCTestCase {
    var fixture: RunFixture!

    override func setUpWithError() throws {
        fixture = try RunFixture()
        let f = fixture!
        try f.write("experiment.resolved.yaml", "name: page <&> test\n")
        try f.writeFolds([["A", "B"]])
        try f.writeJobs([("ours", 0), ("mt", 0), ("ict", 0)])
        try f.writeMetrics("ours", fold: 0, cases: [RunFixture.row("A", dice: 0.8, assd: 1, ravd: 0, site: "RUNMC"),
                                                    RunFixture.row("B", dice: 0.6, assd: 2, ravd: 0, site: "BMC")])
        try f.writeMetrics("mt", fold: 0, cases: [RunFixture.row("A", dice: 0.5, assd: 3, ravd: 0, site: "RUNMC"),
                                                  RunFixture.row("B", dice: 0.4, assd: 4, ravd: 0, site: "BMC")])
        try f.write("failures.jsonl", #"{"job": "ict/fold0/seed7", "method": "ict", "fold": 0, "seed": 7, "reasons": ["attempt 1: worker <lost>"]}"# + "\n")
        try f.write("jobs/ours/fold0/seed7/losses.csv", "phase,epoch,loss,supervised\nsemi-warmup,1,0.9,0.9\nfinal,1,0.5,0.5\nfinal,2,0.25,0.25\n")
        try f.writeFigureSlices("ours", fold: 0, size: 8, cases: [(id: "A", slice: 1, reference: (2, 2, 3), prediction: (2, 3, 3)),
                                                                  (id: "B", slice: 1, reference: (2, 2, 3), prediction: (2, 3, 3))])
        try f.writeFigureSlices("mt", fold: 0, size: 8, cases: [(id: "A", slice: 1, reference: (2, 2, 3), prediction: (1, 1, 4)),
                                                                (id: "B", slice: 1, reference: (2, 2, 3), prediction: (1, 1, 4))])
    }

    override func tearDown() { fixture.remove() }

    /// Element names, attributes and text of a well-formed document.
    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func testTheReportWritesASelfContainedPageThatParses() throws {
        let outcome = try Report.generate(runDirectory: fixture.url)
        XCTAssertTrue(outcome.written.map(\.lastPathComponent).contains("index.html"))
        let data = try Data(contentsOf: fixture.path("index.html"))
        let parser = XMLParser(data: data)
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")")

        let names = collector.elements.map(\.name)
        XCTAssertEqual(names.filter { $0 == "table" }.count, 3, "Table 1, sites, timing")
        XCTAssertEqual(names.filter { $0 == "svg" }.count, 2, "two box plots")
        let images = collector.elements.filter { $0.name == "img" }
        XCTAssertEqual(images.map { $0.attributes["alt"] }, ["Ours training curves", "Figure 2"])
        for image in images { XCTAssertTrue(image.attributes["src"]?.hasPrefix("data:image/png;base64,") ?? false) }
        // Nothing is fetched: no attribute points outside the page (namespaces are names).
        for element in collector.elements {
            for (key, value) in element.attributes where key == "src" || key == "href" {
                XCTAssertFalse(value.hasPrefix("http") || value.hasPrefix("//"), "\(element.name) \(key)=\(value)")
            }
        }
        XCTAssertFalse(names.contains("script") || names.contains("link"))

        let text = collector.text
        for expected in ["Ours", "MT", "70.0 ± 14.1", "RUNMC", "80.0 (n=1)", "ict/fold0/seed7 FAILED: attempt 1: worker <lost>",
                         "ours/fold0/seed7", "name: page <&> test", "Partial run: 2 of 3 jobs completed."] {
            XCTAssertTrue(text.contains(expected), "missing \(expected)")
        }
    }

    func testQuartilesInterpolateLikeNumpy() {
        XCTAssertEqual(HTMLReport.quantile([1, 2, 3, 4], 0.25), 1.75)
        XCTAssertEqual(HTMLReport.quantile([1, 2, 3, 4], 0.5), 2.5)
        XCTAssertEqual(HTMLReport.quantile([5], 0.75), 5)
    }
}
