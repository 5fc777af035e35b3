import Datasets
import Experiments
import Foundation
import Jobs

/// The files a run directory holds besides its jobs (docs/run-directory.md): the resolved
/// experiment, the fold split and the list of jobs. Written by whoever starts a run
/// (`sparseseg train --out`, the runner), each atomically and only when absent, so that every
/// job of a run sees the same split.
public enum RunSetup {
    /// Writes `experiment.resolved.yaml`, `folds.json` and `jobs.json` into `runDirectory`
    /// when they are missing, and returns the jobs of the experiment.
    @discardableResult
    public static func prepare(experiment: Experiment, dataset: Dataset, registry: MethodRegistry = .standard,
                               runDirectory: URL) throws -> [JobSpec] {
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        let jobs = experiment.jobs(catalog: registry)
        if try !holds(experiment, registry: registry, runDirectory: runDirectory) {
            try AtomicWrite.text(experiment.resolvedYAML(), to: runDirectory.appendingPathComponent("experiment.resolved.yaml"))
        }
        let foldsURL = runDirectory.appendingPathComponent("folds.json")
        if !FileManager.default.fileExists(atPath: foldsURL.path) {
            let split = try DatasetSettings(experiment.dataset).split(dataset, folds: experiment.folds)
            let folds: [[String: Any]] = (0..<split.k).map { ["fold": $0, "train": split.trainingIDs($0), "test": split.testIDs($0)] }
            try AtomicWrite.data(try JSONSerialization.data(withJSONObject: ["folds": folds], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), to: foldsURL)
        }
        let jobsURL = runDirectory.appendingPathComponent("jobs.json")
        if !FileManager.default.fileExists(atPath: jobsURL.path) {
            let list: [[String: Any]] = jobs.map { ["id": $0.id, "method": $0.method, "fold": $0.fold, "seed": $0.seed] }
            try AtomicWrite.data(try JSONSerialization.data(withJSONObject: ["jobs": list], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), to: jobsURL)
        }
        return jobs
    }

    /// Whether `runDirectory` holds `experiment`: true when its `experiment.resolved.yaml` has
    /// the same settings, false when it has none. Throws, naming that file, when it holds
    /// another experiment.
    public static func holds(_ experiment: Experiment, registry: MethodRegistry = .standard, runDirectory: URL) throws -> Bool {
        let resolved = runDirectory.appendingPathComponent("experiment.resolved.yaml")
        guard let existing = FileManager.default.contents(atPath: resolved.path) else { return false }
        try refuseAnother(existing: String(decoding: existing, as: UTF8.self), at: resolved, ours: experiment.resolvedYAML(),
                          file: experiment.file, defaults: defaultLines(registry))
        return true
    }

    /// Every setting of every schema at its default, as a resolved file writes it ("key: value").
    static func defaultLines(_ catalog: any ExperimentCatalog) -> Set<String> {
        let schemas = [catalog.datasetSchema, catalog.trainingSchema, RunnerSettings.schema] + catalog.methodNames.compactMap(catalog.methodSchema)
        return Set(schemas.flatMap { $0.specs.map { "\($0.key): \($0.defaultValue.yaml)" } })
    }

    /// Throws unless the run directory's resolved experiment has the same settings as ours
    /// (the header comment, which names the file it came from, aside): jobs of another
    /// experiment would mix with its results or resume its checkpoints. A setting the run
    /// directory's file does not name at all, which ours sets to its default (one of
    /// `defaults`), was added after that run started; at its default it changes nothing, so
    /// it is no difference.
    static func refuseAnother(existing: String, at url: URL, ours: String, file: String, defaults: Set<String> = []) throws {
        // Settings only: the help comments after the values may change between versions.
        func settings(_ text: String) -> [String] {
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.components(separatedBy: "  # ")[0]) }
        }
        let theirs = settings(existing)
        let theirKeys = Set(theirs.map { $0.trimmingCharacters(in: .whitespaces).components(separatedBy: ":")[0] })
        let mine = settings(ours).filter { line in
            let setting = line.trimmingCharacters(in: .whitespaces)
            return !(defaults.contains(setting) && !theirKeys.contains(setting.components(separatedBy: ":")[0]))
        }
        guard theirs != mine else { return }
        let index = (0..<min(theirs.count, mine.count)).first { theirs[$0] != mine[$0] } ?? min(theirs.count, mine.count)
        func line(_ lines: [String]) -> String { index < lines.count ? "'\(lines[index].trimmingCharacters(in: .whitespaces))'" : "nothing" }
        throw TrainingError(file: url.path, message: "this run directory holds another experiment (\(line(theirs)) here, \(line(mine)) in \(file)); give a new run directory")
    }

    /// The job of `method` on `fold` with `seed` (the experiment's first seed when nil).
    public static func job(_ experiment: Experiment, method: String, fold: Int, seed: Int? = nil,
                           registry: MethodRegistry = .standard) throws -> JobSpec {
        guard registry.registration(method) != nil else {
            throw TrainingError(file: experiment.file, message: "unknown method '\(method)' (known: \(registry.methodNames.joined(separator: ", ")))")
        }
        guard experiment.methods.contains(where: { $0.name == method }) else {
            throw TrainingError(file: experiment.file, message: "method '\(method)' is not listed under methods: (listed: \(experiment.methods.map(\.name).joined(separator: ", ")))")
        }
        guard experiment.runFolds.contains(fold) else {
            throw TrainingError(file: experiment.file, message: "fold \(fold) is not run by this experiment (run_folds: \(experiment.runFolds.map(String.init).joined(separator: ", ")))")
        }
        let seed = seed ?? experiment.seeds[0]
        guard let job = experiment.jobs(catalog: registry).first(where: { $0.method == method && $0.fold == fold && $0.seed == seed }) else {
            throw TrainingError(file: experiment.file, message: "seed \(seed) is not one of this experiment's seeds (seeds: \(experiment.seeds.map(String.init).joined(separator: ", ")))")
        }
        return job
    }
}
