import Jobs

/// A type a setting holds: how it becomes a setting value and how it is read back.
public protocol SettingType: Sendable, Equatable {
    /// The value as a setting.
    var settingValue: JSONValue { get }
    /// Reads a value the schema has checked; nil for a value of another kind.
    init?(settingValue: JSONValue)
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
