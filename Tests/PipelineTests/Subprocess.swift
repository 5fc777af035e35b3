import ChildProcesses
import Foundation

/// Runs a program to completion, or kills it and its process group after `timeout`, and
/// returns its exit status and its interleaved output.
func runToCompletion(_ executable: URL, _ arguments: [String], timeout: Duration) throws -> (status: Int32, output: String) {
    let (termination, output) = try ChildProcess.run(executable.path, arguments, timeout: timeout)
    return (termination.code, output)
}
