import Jobs

extension Experiment {
    /// The experiment's jobs: every listed method on every fold to run with every seed,
    /// methods in the order listed, then folds, then seeds. A job's settings are its
    /// ``JobSettings``: everything a worker needs to train it besides the run directory.
    public func jobs(catalog: any ExperimentCatalog) -> [JobSpec] {
        methods.flatMap { method in
            runFolds.flatMap { fold in
                seeds.map { seed in
                    JobSpec(
                        id: JobSpec.identifier(method: method.name, fold: fold, seed: seed), method: method.name, fold: fold, seed: seed,
                        settings: JobSettings(training: method.training.json, method: method.settings.json, dataset: dataset.json, folds: folds).json,
                        expectedCost: catalog.expectedCost(of: method))
                }
            }
        }
    }
}
