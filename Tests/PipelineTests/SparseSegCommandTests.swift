import Foundation
import XCTest

/// The `sparseseg` command itself: how it takes a mistyped subcommand.
final class SparseSegCommandTests: XCTestCase {
    private func sparseseg(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let (status, output) = try runToCompletion(SmokeRunTests.executable, arguments, timeout: .seconds(30))
        return (status, output.split(separator: "\n").map(String.init))
    }

    /// `sparseseg trian` used to say only "Unexpected argument 'trian'".
    func testAMistypedCommandIsAUsageErrorWithTheCommandMeant() throws {
        let cases: [([String], String)] = [
            (["trian"], "Error: unknown command 'trian'; did you mean 'train'?"),
            (["reprot", "runs/x"], "Error: unknown command 'reprot'; did you mean 'report'?"),
            (["stauts", "--json"], "Error: unknown command 'stauts'; did you mean 'status'?"),
            (["data", "snyth", "--out", "x.h5"], "Error: unknown command 'data snyth'; did you mean 'data synth'?"),
            (["frobnicate"], "Error: unknown command 'frobnicate'; the commands are info, bench, report, compare, data, coordinator, worker, run, status, keys, train, methods, evaluate"),
        ]
        for (arguments, expected) in cases {
            let (status, lines) = try sparseseg(arguments)
            XCTAssertEqual(status, 64, "\(arguments): \(lines)")
            XCTAssertEqual(lines, [expected], "\(arguments)")
        }
    }

    /// What is not a subcommand name is left to the parser: options, help, a command's arguments.
    func testOptionsHelpAndArgumentsAreNotTakenForCommands() throws {
        XCTAssertEqual(try sparseseg(["--version"]).lines, ["0.1.0"])
        XCTAssertEqual(try sparseseg(["help", "train"]).status, 0)
        let (status, lines) = try sparseseg(["train", "trian.yaml", "--method", "fs-lcs", "--fold", "0"])
        XCTAssertEqual(status, 1, "\(lines)")
        XCTAssertFalse(lines.joined().contains("unknown command"), "\(lines)")
    }
}
