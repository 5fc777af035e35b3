import Jobs

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
