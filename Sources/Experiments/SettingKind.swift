import Jobs

/// The kind of value a setting takes, with its allowed range.
public indirect enum SettingKind: Sendable {
    case bool
    /// An integer in a closed range.
    case int(ClosedRange<Int>)
    /// A number (integers accepted) in a closed range.
    case number(ClosedRange<Double>)
    case string
    /// One of a fixed set of strings.
    case choice([String])
    /// A list whose elements are all of one kind, with a number of elements in `count`.
    case list(SettingKind, count: ClosedRange<Int>)
    /// A nested section with its own schema.
    case section(SettingsSchema)

    /// Checks one value, returning it normalised (an integer given for a number becomes a
    /// number), or throws an error naming the key.
    func check(_ value: JSONValue, key: String, file: String, line: Int?) throws -> JSONValue {
        func fail(_ message: String) -> ExperimentError {
            ExperimentError(file: file, line: line, key: key, message: message)
        }
        switch self {
        case .bool:
            guard case .bool = value else { throw fail("expected true or false, found \(value.kindName) \(value.yaml)") }
            return value
        case .int(let range):
            guard case .int(let int) = value else { throw fail("expected an integer, found \(value.kindName) \(value.yaml)") }
            guard range.contains(int) else { throw fail("\(int) is out of range \(range.lowerBound)...\(range.upperBound)") }
            return value
        case .number(let range):
            guard let number = value.doubleValue else { throw fail("expected a number, found \(value.kindName) \(value.yaml)") }
            guard range.contains(number) else {
                throw fail("\(formatNumber(number)) is out of range \(formatNumber(range.lowerBound))...\(formatNumber(range.upperBound))")
            }
            return .number(number)
        case .string:
            guard case .string = value else { throw fail("expected a string, found \(value.kindName) \(value.yaml)") }
            return value
        case .choice(let options):
            guard case .string(let string) = value, options.contains(string) else {
                throw fail("expected one of \(options.joined(separator: ", ")), found \(value.yaml)")
            }
            return value
        case .list(let element, let count):
            guard case .array(let values) = value else { throw fail("expected a list, found \(value.kindName) \(value.yaml)") }
            guard count.contains(values.count) else {
                throw fail("expected \(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)") elements, found \(values.count)")
            }
            return .array(try values.enumerated().map { index, item in
                try element.check(item, key: "\(key)[\(index)]", file: file, line: line)
            })
        case .section(let schema):
            guard case .object(let entries) = value else { throw fail("expected a mapping, found \(value.kindName) \(value.yaml)") }
            let located = entries.keys.sorted().map { LocatedSetting(key: $0, value: entries[$0]!, line: line) }
            return .object(try schema.resolve(located, path: key, file: file).values)
        }
    }
}
