import Foundation
import XCTest

@testable import TrainingCore

/// `sparseseg bench core`'s measurement: one short run of its cheapest case.
final class BenchmarkTests: XCTestCase {
    /// The inference case on one thread, three steps: the fields the issue names are in the
    /// JSON line, the fastest step is no slower than the median, and the FLOPs are the
    /// U-Net's forward at 4 x 1 x 128 x 128.
    func testOneCaseReportsEveryField() throws {
        var results: [CoreBenchmarkResult] = []
        CoreBenchmark.run(threads: [1], steps: 3, cases: ["unet128-infer"]) { results.append($0) }
        XCTAssertEqual(results.count, 1)
        let result = try XCTUnwrap(results.first)
        XCTAssertEqual(result.gigaflop, UNet(seed: 1).forwardFLOPs(batch: 4, height: 128, width: 128) / 1e9, accuracy: 1e-9)
        XCTAssertGreaterThan(result.milliseconds, 0)
        XCTAssertLessThanOrEqual(result.bestMilliseconds, result.milliseconds)
        XCTAssertGreaterThan(result.sgemmGigaflopsPerSecond, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any])
        for key in ["name", "threads", "ms", "gflop", "gflops", "sgemm_gflops", "ratio", "best_ms", "best_ratio", "peak_rss_mib"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual(object["name"] as? String, "unet128-infer")
        XCTAssertEqual(object["threads"] as? Int, 1)
    }
}
