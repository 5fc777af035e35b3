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
