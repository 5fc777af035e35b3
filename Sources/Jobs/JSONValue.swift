/// A JSON value: the type of every setting (experiment files, resolved experiments, the jobs
/// the runner ships) and of the per-case metric rows, so that the runner can carry any
/// method's settings and any metric table without knowing either.
///
/// Integers are kept exact (``int(_:)``): a seed or a voxel count past 2^53 survives a trip
/// through JSON. JSON has one kind of number, so equality and hashing compare numbers by value:
/// `.int(2) == .number(2.0)`.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The value as a Double, for `int` and `number`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The value as an Int, for `int` (and a `number` with no fractional part below 2^53,
    /// where every such Double is an exact integer).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .number(let value) where value.rounded() == value && abs(value) < 9.007_199_254_740_992e15: Int(value)
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

    /// The elements, for `array`.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The members, for `object`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { value } else { nil }
    }

    /// A short name of the value's kind, for error messages ("an integer", "a mapping").
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }

    /// Every string anywhere inside this value, with the path of keys and indices leading to
    /// it (for example "augment.paths[2]"), for validation messages.
    public func strings(at path: String = "") -> [(path: String, value: String)] {
        switch self {
        case .string(let value): return [(path, value)]
        case .array(let items):
            return items.enumerated().flatMap { $0.element.strings(at: "\(path)[\($0.offset)]") }
        case .object(let members):
            return members.keys.sorted().flatMap { members[$0]!.strings(at: path.isEmpty ? $0 : "\(path).\($0)") }
        default: return []
        }
    }
}

extension JSONValue: Equatable, Hashable {
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        // Through Double only when the Double is an exact integer: 2^63 must not equal Int.max.
        case (.int(let x), .number(let y)), (.number(let y), .int(let x)): Double(exactly: x).map { $0 == y } ?? false
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x == y
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        // Equal numbers hash alike whichever case holds them.
        case .int(let value):
            hasher.combine(2)
            if let exact = Double(exactly: value) { hasher.combine(exact) } else { hasher.combine(value) }
        case .number(let value): hasher.combine(2); hasher.combine(value)
        case .string(let value): hasher.combine(3); hasher.combine(value)
        case .array(let value): hasher.combine(4); hasher.combine(value)
        case .object(let value): hasher.combine(5); hasher.combine(value)
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Each failed probe throws, which is costly, so the kinds metric rows and settings
        // hold most (numbers, strings, objects) are tried first. An integral literal that
        // fits in Int is read as one, exactly; any other number as a Double.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Double.self) {
            if value.rounded() == value, let exact = try? container.decode(Int.self) {
                self = .int(exact)
            } else {
                self = .number(value)
            }
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(nilLiteral: ()) { self = .null }
}
