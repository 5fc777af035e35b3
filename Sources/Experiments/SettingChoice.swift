import Jobs

/// A setting that takes one of a fixed set of names: an enum with string raw values.
public protocol SettingChoice: SettingType, RawRepresentable<String>, CaseIterable {}

extension SettingChoice {
    public var settingValue: JSONValue { .string(rawValue) }
    public init?(settingValue: JSONValue) {
        guard let name = settingValue.stringValue else { return nil }
        self.init(rawValue: name)
    }
}
