import Foundation
import Metrics
import XCTest

final class CaseMetricsCodableTests: XCTestCase {
    private func json(_ m: CaseMetrics) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as! [String: Any]
    }

    func testKeysAreExactlyThePublishedOnes() throws {
        let a = TestVolumes.box(shape: [4, 6, 6], z: 0..<3, y: 1..<5, x: 1..<5)
        let b = TestVolumes.box(shape: [4, 6, 6], z: 1..<4, y: 1..<5, x: 1..<4)
        let object = try json(try evaluate(prediction: a, reference: b))
        XCTAssertEqual(
            Set(object.keys), ["dice", "iou", "assd", "assd_pooled", "ravd", "ravd_abs", "hd95", "flags"])
        XCTAssertEqual(object["ravd"] as? Double, (48.0 - 36.0) / 36.0)
        XCTAssertEqual(object["flags"] as? [String], [])
    }

    func testUndefinedValuesAreExplicitNullsWithFlagNames() throws {
        let empty = try BinaryVolume(shape: [2, 2, 2], spacing: .unit)
        let text = String(decoding: try JSONEncoder().encode(try evaluate(prediction: empty, reference: empty)), as: UTF8.self)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        for key in ["assd", "assd_pooled", "ravd", "ravd_abs", "hd95"] {
            XCTAssertTrue(object[key] is NSNull, "\(key) in \(text)")
        }
        XCTAssertEqual(object["dice"] as? Double, 1)
        XCTAssertEqual(object["flags"] as? [String], ["empty_prediction", "empty_reference"])
    }

    func testRoundTripKeepsEveryValueExactly() throws {
        let original = CaseMetrics(
            dice: 0.8123456789012345, iou: 0.68, assd: 2.3456789, assdPooled: 2.4, ravd: -0.125, ravdAbs: 0.125,
            hd95: 7.1, flags: [])
        XCTAssertEqual(try JSONDecoder().decode(CaseMetrics.self, from: JSONEncoder().encode(original)), original)
        let flagged = CaseMetrics(
            dice: 0, iou: 0, assd: nil, assdPooled: nil, ravd: -1, ravdAbs: 1, hd95: nil, flags: .emptyPrediction)
        XCTAssertEqual(try JSONDecoder().decode(CaseMetrics.self, from: JSONEncoder().encode(flagged)), flagged)
    }

    func testMissingKeyAndUnknownFlagAreRejected() {
        let missing = #"{"dice": 1, "iou": 1, "assd": null, "assd_pooled": null, "ravd": null, "ravd_abs": null, "flags": []}"#
        XCTAssertThrowsError(try JSONDecoder().decode(CaseMetrics.self, from: Data(missing.utf8))) { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "hd95")
        }
        let unknown = #"{"dice": 1, "iou": 1, "assd": null, "assd_pooled": null, "ravd": null, "ravd_abs": null, "hd95": null, "flags": ["empty_everything"]}"#
        XCTAssertThrowsError(try JSONDecoder().decode(CaseMetrics.self, from: Data(unknown.utf8))) { error in
            XCTAssertTrue("\(error)".contains("empty_everything"), "\(error)")
        }
    }
}
