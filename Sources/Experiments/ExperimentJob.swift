/// One job of an experiment: one method trained and scored on one fold.
public struct ExperimentJob: Sendable, Hashable, Codable {
    /// A stable identifier, "<method>/fold<k>", also the job's folder under the run directory.
    public let id: String
    public let method: String
    public let fold: Int
    /// The experiment's root seed; the job derives its own streams from it, so every method
    /// sees the same fold split and the same augmentation stream on a fold.
    public let seed: Int
    /// {"training": {...}, "method": {...}}: everything the job needs besides the dataset.
    public let settings: SettingValue
    /// An estimate of the job's cost in U-Net epochs, for starting the longest jobs first.
    public let expectedCost: Double

    public init(id: String, method: String, fold: Int, seed: Int, settings: SettingValue, expectedCost: Double) {
        self.id = id
        self.method = method
        self.fold = fold
        self.seed = seed
        self.settings = settings
        self.expectedCost = expectedCost
    }
}

extension Experiment {
    /// The experiment's jobs: every listed method on every fold to run, methods in the
    /// order listed.
    public func jobs(catalog: any ExperimentCatalog) -> [ExperimentJob] {
        methods.flatMap { method in
            runFolds.map { fold in
                let epochs = method.training["epochs"]?.doubleValue ?? 1
                return ExperimentJob(
                    id: "\(method.name)/fold\(fold)", method: method.name, fold: fold, seed: seed,
                    settings: .map(["training": .map(method.training), "method": .map(method.settings)]),
                    expectedCost: catalog.relativeCost(method.name) * epochs)
            }
        }
    }
}
