import Jobs

/// One accepted setting, untyped: its key, kind, default and meaning.
public struct SettingSpec: SettingDeclaration {
    public let key: String
    public let kind: SettingKind
    public let defaultValue: JSONValue
    /// One line on what the setting does, and where its default comes from.
    public let help: String

    public init(_ key: String, _ kind: SettingKind, default defaultValue: JSONValue, help: String) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    public var spec: SettingSpec { self }
}
