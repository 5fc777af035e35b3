/// One job of an experiment: one method trained with one seed and scored on one fold.
public struct ExperimentJob: Sendable, Hashable, Codable {
    /// A stable identifier, "<method>/fold<k>/seed<s>" (``identifier(method:fold:seed:)``), also
    /// the job's folder under the run directory's `jobs/`.
    public let id: String
    public let method: String
    public let fold: Int
    /// The job's seed, one of the experiment's `seeds`. The job derives its random streams from
    /// (seed, fold), so every method with the same seed sees the same augmentation stream on a
    /// fold.
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

    /// The id of the job of `method` on `fold` with `seed`: "<method>/fold<k>/seed<s>".
    public static func identifier(method: String, fold: Int, seed: Int) -> String {
        "\(method)/fold\(fold)/seed\(seed)"
    }
}

extension Experiment {
    /// The experiment's jobs: every listed method on every fold to run with every seed,
    /// methods in the order listed, then folds, then seeds.
    public func jobs(catalog: any ExperimentCatalog) -> [ExperimentJob] {
        methods.flatMap { method in
            runFolds.flatMap { fold in
                seeds.map { seed in
                    let epochs = method.training["epochs"]?.doubleValue ?? 1
                    return ExperimentJob(
                        id: ExperimentJob.identifier(method: method.name, fold: fold, seed: seed), method: method.name, fold: fold, seed: seed,
                        settings: .map(["training": .map(method.training), "method": .map(method.settings)]),
                        expectedCost: catalog.relativeCost(method.name) * epochs)
                }
            }
        }
    }
}
