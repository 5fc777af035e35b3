import Experiments
import Runner

/// Job settings cross the wire as the runner's ``JSONValue`` and are read by the methods as
/// the experiments' ``SettingValue``; both are plain JSON, so the bridge is structural.
enum SettingsBridge {
    /// An experiment setting as JSON.
    static func json(_ value: SettingValue) -> JSONValue {
        switch value {
        case .bool(let bool): .bool(bool)
        case .int(let int): .number(Double(int))
        case .number(let number): .number(number)
        case .string(let string): .string(string)
        case .list(let items): .array(items.map(json))
        case .map(let entries): .object(entries.mapValues(json))
        }
    }

    /// JSON as an experiment setting: integral numbers become integers, which every settings
    /// reader also accepts where a number is expected. `null` has no setting equivalent.
    static func setting(_ value: JSONValue, key: String) throws -> SettingValue {
        switch value {
        case .null: throw PipelineError("job settings: \(key) is null")
        case .bool(let bool): return .bool(bool)
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? .int(Int(number)) : .number(number)
        case .string(let string): return .string(string)
        case .array(let items):
            return .list(try items.enumerated().map { try setting($1, key: "\(key)[\($0)]") })
        case .object(let members):
            var map: [String: SettingValue] = [:]
            for (name, member) in members { map[name] = try setting(member, key: key.isEmpty ? name : "\(key).\(name)") }
            return .map(map)
        }
    }
}

/// An error of the pipeline, with its message.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
