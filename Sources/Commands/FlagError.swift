import ArgumentParser
import Foundation

/// A flag's value out of its range: one line, "Error: <message>", and the usage exit code
/// (64), without ArgumentParser's usage text after it, so that a script reading the error sees
/// exactly what is wrong.
func flagError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    return ExitCode.validationFailure
}
