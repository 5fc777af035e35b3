import Foundation
import Jobs

extension JSONValue {
    /// The value as YAML flow style, which ``Experiment/parse(yaml:file:catalog:)`` reads back
    /// to an equal value: what resolved experiments and error messages show.
    public var yaml: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .number(let value): formatNumber(value)
        case .string(let value): quoteIfNeeded(value)
        case .array(let values): "[" + values.map(\.yaml).joined(separator: ", ") + "]"
        case .object(let entries):
            "{" + entries.keys.sorted().map { "\($0): \(entries[$0]!.yaml)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A Double written so that YAML reads it back as a float, never as an integer.
func formatNumber(_ value: Double) -> String {
    if value.isNaN { return ".nan" }
    if value.isInfinite { return value > 0 ? ".inf" : "-.inf" }
    let text = "\(value)"
    return text.contains(".") || text.contains("e") ? text : text + ".0"
}

/// A string quoted when YAML would otherwise read it as another type or mis-parse it.
func quoteIfNeeded(_ value: String) -> String {
    let plain = value.range(of: #"^[A-Za-z_/][A-Za-z0-9_./-]*$"#, options: .regularExpression) != nil
    let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]
    if plain && !reserved.contains(value.lowercased()) { return value }
    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "\"" + escaped + "\""
}
