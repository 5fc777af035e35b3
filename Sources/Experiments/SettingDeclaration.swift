/// What a schema is made of: a ``Setting`` declaration, or a bare ``SettingSpec``.
public protocol SettingDeclaration: Sendable {
    /// The key, kind, default and help.
    var spec: SettingSpec { get }
}

extension Setting: SettingDeclaration {}
