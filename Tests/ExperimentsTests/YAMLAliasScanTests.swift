@testable import Experiments
import XCTest

/// The scan finds anchors and aliases where YAML reads them as such, and only there: `&` and
/// `*` inside text, quotes, comments and block scalars are left alone.
final class YAMLAliasScanTests: XCTestCase {
    private func found(_ yaml: String) -> String? {
        YAMLAliasScan.first(in: yaml).map { "\($0.line): \($0.text)" }
    }

    func testFindsAnchorsAndAliasesWhereANodeBegins() {
        XCTAssertEqual(found("a: &x 1\nb: *x\n"), "1: &x")
        XCTAssertEqual(found("a: 1\nb: *x\n"), "2: *x")
        XCTAssertEqual(found("a: [1, *x]\n"), "1: *x")
        XCTAssertEqual(found("a: {k: *x}\n"), "1: *x")
        XCTAssertEqual(found("a: [1,\n  *x]\n"), "2: *x")
        XCTAssertEqual(found("- - &x 1\n"), "1: &x")
        XCTAssertEqual(found("? &k key\n: v\n"), "1: &k")
        XCTAssertEqual(found("&k key: v\n"), "1: &k")
        XCTAssertEqual(found("a: !!str &x v\n"), "1: &x")
        XCTAssertEqual(found("--- &root\na: 1\n"), "1: &root")
        XCTAssertEqual(found("a: 'quoted'\nb: *x\n"), "2: *x")
        // Text of a block scalar ends where the indentation returns to its key's.
        XCTAssertEqual(found("a: |\n  * text\nb: *x\n"), "3: *x")
        XCTAssertEqual(found("- key: |\n    text\n  other: *x\n"), "3: *x")
        XCTAssertEqual(found("a: \"multi\n  line\"\nb: *x\n"), "3: *x")
    }

    func testLeavesTextQuotesCommentsAndBlockScalarsAlone() {
        XCTAssertNil(found("methods: [mt]\ndescription: 5 * 3 & 4\n"))
        XCTAssertNil(found("description: \"*not* &alias\"\n"))
        XCTAssertNil(found("description: '*not* ''&alias'''\n"))
        XCTAssertNil(found("a: 1 # *comment &x\n# *whole line\n"))
        XCTAssertNil(found("description: |\n  * a bullet\n  & more\n\n  *after a blank line\nmethods: [mt]\n"))
        XCTAssertNil(found("description: >-\n  *folded\n"))
        XCTAssertNil(found("a: b*c&d\nurl: http://x/*\n"))
        XCTAssertNil(found("a: \"line one\n  *still quoted\"\n"))
    }
}
