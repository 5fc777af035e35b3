import ChildProcesses
import Foundation
import XCTest

/// Runs a program (killed after two minutes) and returns its exit status and its output.
public func runProgram(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let (termination, output) = try ChildProcess.run(executable, arguments, timeout: .seconds(120))
    return (termination.code, output)
}

/// Why a test that needs a tool did not run, raised under CI, where everything the tests
/// need is installed and built, so that a missing tool fails instead of passing as a skip.
public struct RequiredUnderCI: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "CI is set, so this is a failure, not a skip: \(reason)" }
}

/// Skips the test for a missing tool; under CI (the `CI` environment variable set and not
/// "false" or "0") fails it instead.
public func skipUnlessCI(_ reason: String) throws -> Never {
    let ci = ProcessInfo.processInfo.environment["CI"] ?? ""
    if !ci.isEmpty && ci != "0" && ci.lowercased() != "false" { throw RequiredUnderCI(reason: reason) }
    throw XCTSkip(reason)
}

/// The path of a program on PATH, or nil.
public func which(_ program: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
