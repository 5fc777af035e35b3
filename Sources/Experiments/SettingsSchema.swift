import Jobs

/// The settings one part of an experiment accepts (the shared training settings, one
/// method's settings, the dataset, the runner): each key with its kind, its default and its
/// meaning. Every number that shapes a run is declared in a schema, never buried in code, so
/// the resolved experiment written into each run directory shows every value that was used.
public struct SettingsSchema: Sendable {
    /// What the schema is for, as it appears in error messages ("training", "method mt").
    public let name: String
    /// The accepted settings, in the order they are documented and written out.
    public let specs: [SettingSpec]

    /// A schema of the declared settings, in the order given.
    public init(name: String, _ settings: [any SettingDeclaration]) {
        self.name = name
        self.specs = settings.map(\.spec)
        precondition(Set(specs.map(\.key)).count == specs.count, "duplicate key in schema \(name)")
    }

    /// The spec for `key`, if the schema has one.
    public func spec(_ key: String) -> SettingSpec? {
        specs.first { $0.key == key }
    }

    /// Every key with its default value.
    public var defaults: ResolvedSettings {
        ResolvedSettings(schema: self, values: Dictionary(uniqueKeysWithValues: specs.map { ($0.key, $0.defaultValue) }))
    }

    /// Checks `given` against the schema and fills in the defaults.
    ///
    /// - Parameters:
    ///   - given: the settings found in the file, each with where it was found.
    ///   - path: the dotted key path of this section, for error messages ("methods.mt").
    ///   - file: the experiment file, for error messages.
    /// - Throws: ``ExperimentError`` naming the file, line and key of the first problem.
    public func resolve(_ given: [LocatedSetting], path: String, file: String) throws -> ResolvedSettings {
        var resolved = defaults.values
        for setting in given {
            let keyPath = path.isEmpty ? setting.key : path + "." + setting.key
            guard let spec = spec(setting.key) else {
                var message = "unknown key in \(name)"
                if let suggestion = closestKey(to: setting.key) { message += "; did you mean '\(suggestion)'?" }
                message += " (accepted: \(specs.map(\.key).joined(separator: ", ")))"
                throw ExperimentError(file: file, line: setting.line, key: keyPath, message: message)
            }
            resolved[setting.key] = try spec.kind.check(setting.value, key: keyPath, file: file, line: setting.line)
        }
        return ResolvedSettings(schema: self, values: resolved)
    }

    /// Checks a section given as one JSON object (as a job carries it; nil: every default),
    /// naming `file` (for example "job mt/fold0/seed0") and the key path in errors.
    public func resolve(json: JSONValue?, path: String, file: String) throws -> ResolvedSettings {
        guard let json else { return defaults }
        guard let members = json.objectValue else {
            throw ExperimentError(file: file, line: nil, key: path, message: "expected a mapping, found \(json.kindName) \(json.yaml)")
        }
        return try resolve(members.keys.sorted().map { LocatedSetting(key: $0, value: members[$0]!, line: nil) }, path: path, file: file)
    }

    /// The schema's key nearest to a mistyped `key`, when it is near enough to be a typo.
    private func closestKey(to key: String) -> String? {
        let scored = specs.map { ($0.key, editDistance(key, $0.key)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, key.count / 3) else { return nil }
        return best
    }
}

/// What a schema is made of: a ``Setting`` declaration, or a bare ``SettingSpec``.
public protocol SettingDeclaration: Sendable {
    /// The key, kind, default and help.
    var spec: SettingSpec { get }
}

extension Setting: SettingDeclaration {}

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

/// A setting as found in a file: its key, value and line (1-based), for error messages.
public struct LocatedSetting: Sendable {
    public let key: String
    public let value: JSONValue
    public let line: Int?

    public init(key: String, value: JSONValue, line: Int?) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// The Levenshtein distance between two short strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
