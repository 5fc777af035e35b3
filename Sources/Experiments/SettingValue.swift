import Foundation

/// One setting's value, as read from an experiment file, written into a resolved experiment
/// and carried inside a job. It encodes to plain JSON (no type tags), so a job's settings read
/// naturally on the wire and in run directories.
public enum SettingValue: Sendable, Hashable {
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case list([SettingValue])
    case map([String: SettingValue])

    /// The value as a Double, for `int` and `number`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The value as an Int, for `int` (and a `number` with no fractional part).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .number(let value) where value.rounded() == value && abs(value) < 1e15: Int(value)
        default: nil
        }
    }

    /// The value as a Bool, for `bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The value as a String, for `string`.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The elements, for `list`.
    public var listValue: [SettingValue]? {
        if case .list(let value) = self { value } else { nil }
    }

    /// The entries, for `map`.
    public var mapValue: [String: SettingValue]? {
        if case .map(let value) = self { value } else { nil }
    }

    /// The entry `key` of a `map`, or nil.
    public subscript(key: String) -> SettingValue? {
        mapValue?[key]
    }

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .bool: "a boolean"
        case .int: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a mapping"
        }
    }
}

extension SettingValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SettingValue].self) {
            self = .list(value)
        } else if let value = try? container.decode([String: SettingValue].self) {
            self = .map(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a setting value (null?)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        }
    }
}

extension SettingValue: CustomStringConvertible {
    /// The value as it would be written in YAML flow style.
    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .number(let value): formatNumber(value)
        case .string(let value): quoteIfNeeded(value)
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries):
            "{" + entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: ", ") + "}"
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
