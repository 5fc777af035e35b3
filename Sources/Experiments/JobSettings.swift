import Jobs

/// The settings a training job carries, as sections of one JSON object: its resolved
/// `training` and `method` sections, the experiment's `dataset` section and its fold count.
/// The keys are spelled here only; workers read the sections back through their schemas.
public struct JobSettings: Sendable, Equatable {
    /// The training section (with the method's overrides), the method's own section and the
    /// dataset section, each a JSON object.
    public var training: JSONValue
    public var method: JSONValue
    public var dataset: JSONValue
    /// The number of cross-validation folds of the experiment.
    public var folds: Int

    /// Settings of the given sections.
    public init(training: JSONValue, method: JSONValue, dataset: JSONValue, folds: Int) {
        self.training = training
        self.method = method
        self.dataset = dataset
        self.folds = folds
    }

    /// The settings as a job carries them.
    public var json: JSONValue {
        ["training": training, "method": method, "dataset": dataset, "folds": .int(folds)]
    }

    /// Reads the settings of `job`, refusing a job that does not carry them (an error naming
    /// the job and the key).
    public init(of job: JobSpec) throws {
        func fail(_ message: String) -> ExperimentError { ExperimentError(file: "job \(job.id)", line: nil, key: "settings", message: message) }
        guard let members = job.settings.objectValue else { throw fail("expected a mapping, found \(job.settings.kindName)") }
        func section(_ key: String) throws -> JSONValue {
            guard let value = members[key] else { return [:] }
            guard value.objectValue != nil else { throw fail("\(key) must be a mapping, found \(value.kindName)") }
            return value
        }
        training = try section("training")
        method = try section("method")
        dataset = try section("dataset")
        guard let folds = members["folds"]?.intValue, (2...50).contains(folds), (0..<folds).contains(job.fold) else {
            throw fail("folds must be an integer from 2 to 50 above the job's fold \(job.fold), found \(members["folds"]?.yaml ?? "nothing")")
        }
        self.folds = folds
        guard job.seed >= 0 else { throw fail("the seed must be 0 or more, found \(job.seed)") }
    }
}
