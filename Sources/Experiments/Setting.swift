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
