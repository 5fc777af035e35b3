import Foundation
import Jobs
import Yams

/// A validated experiment: which methods run on which folds of which dataset, with every
/// setting resolved (defaults filled in). Made from a YAML file by ``load(path:catalog:)``;
/// written back, complete, by ``resolvedYAML()``.
///
/// An experiment file looks like this (every key but `methods` may be left out):
///
///     name: quick
///     seeds: [0, 1]
///     folds: 5
///     dataset: { synthetic_cases: 40, image_size: 64 }
///     training: { epochs: 30, batch_size: 4 }
///     methods:
///       - fs-lcs
///       - mt: { consistency_max: 0.1 }
///       - ours: { training: { epochs: 40 } }
///     runner: { workers: 2 }
public struct Experiment: Sendable, Equatable {
    /// One method of the experiment with its resolved settings.
    public struct Method: Sendable, Equatable {
        /// The registered method name, for example "ua-mt".
        public let name: String
        /// The shared training settings with this method's overrides applied.
        public let training: ResolvedSettings
        /// The method's own settings.
        public let settings: ResolvedSettings
    }

    /// The file the experiment was read from.
    public let file: String
    public let name: String
    public let description: String
    /// The training seeds: every method runs on every fold once per seed, and a job's initial
    /// weights, dropout, batch order and augmentation derive from its seed. The fold split does
    /// not (it has `dataset.fold_seed`), so every seed sees the same folds.
    public let seeds: [Int]
    /// The number of cross-validation folds.
    public let folds: Int
    /// The folds to run (all of them by default).
    public let runFolds: [Int]
    public let dataset: ResolvedSettings
    /// The shared training settings, before per-method overrides.
    public let training: ResolvedSettings
    public let methods: [Method]
    /// How the coordinator treats workers and jobs.
    public let runner: RunnerSettings

    /// The top-level keys, in the order they are written.
    static let topLevelKeys = ["name", "description", "seed", "seeds", "folds", "run_folds", "dataset", "training", "methods", "runner"]

    /// The largest experiment file accepted: real ones are a few kilobytes, and the limit
    /// keeps a hostile one from costing more than a moment to scan.
    public static let maximumBytes = 4 << 20

    /// Reads and validates the experiment file at `path`.
    public static func load(path: String, catalog: any ExperimentCatalog) throws -> Experiment {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > maximumBytes {
            throw ExperimentError(file: path, line: nil, key: "", message: "the file is \(size.intValue) bytes, more than the \(maximumBytes) an experiment may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError(file: path, line: nil, key: "", message: "cannot read the file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ExperimentError(file: path, line: nil, key: "", message: "not UTF-8 text")
        }
        return try parse(yaml: text, file: path, catalog: catalog)
    }

    /// Validates experiment YAML; `file` names it in errors and provides the default name.
    public static func parse(yaml: String, file: String, catalog: any ExperimentCatalog) throws -> Experiment {
        guard yaml.utf8.count <= maximumBytes else {
            throw ExperimentError(file: file, line: nil, key: "", message: "the file is \(yaml.utf8.count) bytes, more than the \(maximumBytes) an experiment may have")
        }
        // Before Yams sees the text: it would compose nested aliases into a tree that grows
        // exponentially as it is walked.
        if let found = YAMLAliasScan.first(in: yaml) {
            throw ExperimentError(file: file, line: found.line, key: "", message: "YAML anchors and aliases are not supported, found '\(found.text.prefix(40))'")
        }
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: yaml)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw ExperimentError(file: file, line: error.line, key: "", message: "not valid YAML: \(error.summary)")
        }
        guard let root else { throw ExperimentError(file: file, line: nil, key: "", message: "the file is empty") }
        // The parser owns the anchors that nodes refer to weakly: it lives until the tree has
        // been read, so that settingValue still sees an anchor the scan did not.
        return try withExtendedLifetime(parser) { try parse(root: root, file: file, catalog: catalog) }
    }

    private static func parse(root: Node, file: String, catalog: any ExperimentCatalog) throws -> Experiment {
        let top = try YAMLMapping(root, key: "", file: file)
        try top.rejectUnknownKeys(allowed: topLevelKeys, section: "the experiment")

        let defaultName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let name = try top.value("name").map { try SettingKind.string.check($0.value, key: "name", file: file, line: $0.line) }
        // The name is a directory of the run (runs/<name>): a plain name, never a path.
        let nameLine = try top.value("name")?.line
        let checkedName = name?.stringValue ?? defaultName
        guard isPlainName(checkedName) else {
            let origin = name == nil ? "the file name gives the name '\(checkedName)'; give name: explicitly" : "'\(checkedName.prefix(60))'"
            throw ExperimentError(file: file, line: nameLine, key: "name",
                                  message: "expected letters, digits, '-', '_' and '.', not starting with '.', at most 100 characters: \(origin)")
        }
        let description = try top.value("description").map { try SettingKind.string.check($0.value, key: "description", file: file, line: $0.line) }
        let seeds = try parseSeeds(top, file: file)
        let foldCount = try top.value("folds").map { try SettingKind.int(2...50).check($0.value, key: "folds", file: file, line: $0.line) }?.intValue ?? 5
        var runFolds = Array(0..<foldCount)
        if let given = try top.value("run_folds") {
            let list = try SettingKind.list(.int(0...(foldCount - 1)), count: 1...foldCount).check(given.value, key: "run_folds", file: file, line: given.line)
            runFolds = list.arrayValue!.map { $0.intValue! }
            guard Set(runFolds).count == runFolds.count else {
                throw ExperimentError(file: file, line: given.line, key: "run_folds", message: "a fold is listed twice")
            }
        }

        let dataset = try catalog.datasetSchema.resolve(try top.section("dataset"), path: "dataset", file: file)
        let trainingGiven = try top.section("training")
        let training = try catalog.trainingSchema.resolve(trainingGiven, path: "training", file: file)
        let runner = RunnerSettings(try RunnerSettings.schema.resolve(try top.section("runner"), path: "runner", file: file))
        let methods = try parseMethods(top, trainingGiven: trainingGiven, catalog: catalog, file: file)

        return Experiment(
            file: file, name: checkedName, description: description?.stringValue ?? "",
            seeds: seeds, folds: foldCount, runFolds: runFolds, dataset: dataset,
            training: training, methods: methods, runner: runner)
    }

    /// Whether `name` can name a directory by itself: letters, digits, '-', '_' and '.', not
    /// starting with '.' (so neither "." nor ".." nor a hidden name), 1 to 100 characters.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.unicodeScalars.count <= 100 else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// `seeds: [a, b, ...]`, or `seed: a` as the shorthand for one seed; [0] when neither is given.
    private static func parseSeeds(_ top: YAMLMapping, file: String) throws -> [Int] {
        let single = try top.value("seed"), list = try top.value("seeds")
        if let single, list != nil {
            throw ExperimentError(file: file, line: single.line, key: "seed", message: "give either seed or seeds, not both")
        }
        if let single {
            return [try SettingKind.int(0...Int(Int32.max)).check(single.value, key: "seed", file: file, line: single.line).intValue!]
        }
        guard let list else { return [0] }
        let checked = try SettingKind.list(.int(0...Int(Int32.max)), count: 1...100).check(list.value, key: "seeds", file: file, line: list.line)
        let seeds = checked.arrayValue!.map { $0.intValue! }
        guard Set(seeds).count == seeds.count else {
            throw ExperimentError(file: file, line: list.line, key: "seeds", message: "a seed is listed twice")
        }
        return seeds
    }

    private static func parseMethods(
        _ top: YAMLMapping, trainingGiven: [LocatedSetting], catalog: any ExperimentCatalog, file: String
    ) throws -> [Method] {
        guard let node = top.node("methods") else {
            throw ExperimentError(file: file, line: nil, key: "methods", message: "missing: list the methods to run (known: \(catalog.methodNames.joined(separator: ", ")))")
        }
        guard case .sequence(let sequence) = node, !sequence.isEmpty else {
            throw ExperimentError(file: file, line: node.mark?.line, key: "methods", message: "expected a non-empty list of method names")
        }
        var methods: [Method] = []
        for (index, item) in sequence.enumerated() {
            let line = item.mark?.line
            let name: String
            var own: [LocatedSetting] = []
            var trainingOverrides: [LocatedSetting] = []
            switch item {
            case .scalar(let scalar):
                name = scalar.string
            case .mapping(let mapping) where mapping.count == 1:
                name = mapping.first!.key.string ?? ""
                let body = try YAMLMapping(mapping.first!.value, key: "methods.\(name)", file: file, allowEmpty: true)
                own = body.settings.filter { $0.key != "training" }
                trainingOverrides = try body.section("training")
            default:
                throw ExperimentError(file: file, line: line, key: "methods[\(index)]", message: "expected a method name, or a method name with a mapping of its settings")
            }
            guard let schema = catalog.methodSchema(name) else {
                throw ExperimentError(file: file, line: line, key: "methods[\(index)]", message: "unknown method '\(name)' (known: \(catalog.methodNames.joined(separator: ", ")))")
            }
            guard !methods.contains(where: { $0.name == name }) else {
                throw ExperimentError(file: file, line: line, key: "methods[\(index)]", message: "method '\(name)' is listed twice")
            }
            // A method's training overrides are applied over the shared section, key by key.
            let merged = trainingGiven.filter { shared in !trainingOverrides.contains { $0.key == shared.key } } + trainingOverrides
            let training = try catalog.trainingSchema.resolve(merged, path: "methods.\(name).training", file: file)
            let settings = try schema.resolve(own, path: "methods.\(name)", file: file)
            methods.append(Method(name: name, training: training, settings: settings))
        }
        return methods
    }
}

extension YamlError {
    /// The line the parser stopped at, when it says.
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    /// The parser's message without the snippet of the file.
    var summary: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(self)"
        }
    }
}
