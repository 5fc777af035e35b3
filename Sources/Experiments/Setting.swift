import Jobs

/// A type a setting holds: how it becomes a setting value and how it is read back.
public protocol SettingType: Sendable, Equatable {
    /// The value as a setting.
    var settingValue: JSONValue { get }
    /// Reads a value the schema has checked; nil for a value of another kind.
    init?(settingValue: JSONValue)
}

/// One setting, declared once: its key, kind and range, default and meaning. Schemas are made
/// of these declarations, and a resolved section is read through them
/// (`values[TrainingSettings.epochs]`), so a key is spelled in one place and a read has its
/// type from the declaration.
public struct Setting<Value: SettingType>: Sendable {
    /// The key, its kind, its default as a setting value and its help.
    public let spec: SettingSpec
    /// The default, typed.
    public let defaultValue: Value

    /// The key in experiment files.
    public var key: String { spec.key }

    fileprivate init(_ key: String, _ kind: SettingKind, default defaultValue: Value, help: String) {
        self.spec = SettingSpec(key, kind, default: defaultValue.settingValue, help: help)
        self.defaultValue = defaultValue
    }
}

extension Setting where Value == Int {
    /// An integer in `range`.
    public init(_ key: String, _ range: ClosedRange<Int>, default defaultValue: Int, help: String) {
        self.init(key, .int(range), default: defaultValue, help: help)
    }
}

extension Setting where Value == Double {
    /// A number in `range` (an integer is accepted and read as a number).
    public init(_ key: String, _ range: ClosedRange<Double>, default defaultValue: Double, help: String) {
        self.init(key, .number(range), default: defaultValue, help: help)
    }
}

extension Setting where Value == Bool {
    /// true or false.
    public init(_ key: String, default defaultValue: Bool, help: String) {
        self.init(key, .bool, default: defaultValue, help: help)
    }
}

extension Setting where Value == String {
    /// Any string.
    public init(_ key: String, default defaultValue: String, help: String) {
        self.init(key, .string, default: defaultValue, help: help)
    }
}

extension Setting where Value: SettingChoice {
    /// One of the cases of `Value`, by raw value.
    public init(_ key: String, default defaultValue: Value, help: String) {
        self.init(key, .choice(Value.allCases.map(\.rawValue)), default: defaultValue, help: help)
    }
}

extension Setting where Value == [Int] {
    /// A list of `count` integers, each in `range`.
    public init(_ key: String, each range: ClosedRange<Int>, count: ClosedRange<Int>, default defaultValue: [Int], help: String) {
        self.init(key, .list(.int(range), count: count), default: defaultValue, help: help)
    }
}

extension Setting where Value == [Double] {
    /// A list of `count` numbers, each in `range`.
    public init(_ key: String, each range: ClosedRange<Double>, count: ClosedRange<Int>, default defaultValue: [Double], help: String) {
        self.init(key, .list(.number(range), count: count), default: defaultValue, help: help)
    }
}

/// A setting that takes one of a fixed set of names: an enum with string raw values.
public protocol SettingChoice: SettingType, RawRepresentable<String>, CaseIterable {}

extension SettingChoice {
    public var settingValue: JSONValue { .string(rawValue) }
    public init?(settingValue: JSONValue) {
        guard let name = settingValue.stringValue else { return nil }
        self.init(rawValue: name)
    }
}

extension Int: SettingType {
    public var settingValue: JSONValue { .int(self) }
    public init?(settingValue: JSONValue) {
        guard let value = settingValue.intValue else { return nil }
        self = value
    }
}

extension Double: SettingType {
    public var settingValue: JSONValue { .number(self) }
    public init?(settingValue: JSONValue) {
        guard let value = settingValue.doubleValue else { return nil }
        self = value
    }
}

extension Bool: SettingType {
    public var settingValue: JSONValue { .bool(self) }
    public init?(settingValue: JSONValue) {
        guard let value = settingValue.boolValue else { return nil }
        self = value
    }
}

extension String: SettingType {
    public var settingValue: JSONValue { .string(self) }
    public init?(settingValue: JSONValue) {
        guard let value = settingValue.stringValue else { return nil }
        self = value
    }
}

extension Array: SettingType where Element: SettingType {
    public var settingValue: JSONValue { .array(map(\.settingValue)) }
    public init?(settingValue: JSONValue) {
        guard let items = settingValue.arrayValue else { return nil }
        var values: [Element] = []
        for item in items {
            guard let value = Element(settingValue: item) else { return nil }
            values.append(value)
        }
        self = values
    }
}

/// The settings of one section, checked against its schema with the defaults filled in: made
/// only by ``SettingsSchema/resolve(_:path:file:)``, so every value read through a
/// ``Setting`` has the declared kind and range.
public struct ResolvedSettings: Sendable, Equatable {
    /// The schema the values were checked against.
    public let schema: SettingsSchema
    /// Every key of the schema with its value.
    public let values: [String: JSONValue]

    init(schema: SettingsSchema, values: [String: JSONValue]) {
        self.schema = schema
        self.values = values
    }

    /// The value of `setting`; its default when the schema does not have it (a method's
    /// ablation without the setting).
    public subscript<Value>(setting: Setting<Value>) -> Value {
        guard let value = values[setting.key] else { return setting.defaultValue }
        // resolve() checked the kind, so only a declaration that disagrees with its own
        // schema entry (a defect, not input) can get here.
        guard let typed = Value(settingValue: value) else {
            preconditionFailure("\(schema.name).\(setting.key) = \(value.yaml) is not a \(Value.self)")
        }
        return typed
    }

    /// These settings with `setting` set to `value` (a value of the declared type, which the
    /// caller keeps within the declared range).
    public func replacing<Value>(_ setting: Setting<Value>, with value: Value) -> ResolvedSettings {
        var values = values
        values[setting.key] = value.settingValue
        return ResolvedSettings(schema: schema, values: values)
    }

    /// The section as one JSON object, as a job carries it.
    public var json: JSONValue { .object(values) }

    public static func == (a: ResolvedSettings, b: ResolvedSettings) -> Bool {
        a.schema.name == b.schema.name && a.values == b.values
    }
}
