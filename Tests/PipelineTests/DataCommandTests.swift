import Foundation
import XCTest

/// `sparseseg data synth` as a user runs it.
final class DataCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// The generation time used to be printed as Swift's Duration prints itself,
    /// "generated in 0.543702304 seconds".
    func testSynthSaysHowLongItTookInSecondsWithTwoDecimals() throws {
        let out = directory.appendingPathComponent("phantom.h5").path
        let (status, output) = try runToCompletion(SmokeRunTests.executable, ["data", "synth", "--out", out, "--cases", "2", "--size", "32"],
                                                   timeout: .seconds(60))
        XCTAssertEqual(status, 0, output)
        let line = try XCTUnwrap(output.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(line.hasPrefix("wrote \(out): 2 phantom cases of 32 x 32 x "), line)
        XCTAssertNotNil(line.range(of: #", generated in [0-9]\.[0-9]{2} s$"#, options: .regularExpression), line)
    }
}
