import Datasets
import Experiments
import Foundation
import Jobs
import Methods
import Runner

/// An experiment made ready to run: its run directory laid out (resolved experiment, folds,
/// job list) and its jobs as the runner sends them.
public struct ExperimentRun: Sendable {
    /// The validated experiment.
    public let experiment: Experiment
    /// The jobs, each carrying its training, method and dataset settings.
    public let jobs: [JobSpec]
    /// Paths outside the run directory that jobs may name: the dataset file.
    public let datasetPaths: [String]
    /// What the coordinator checks in each result before journaling it.
    public let resultCheck: ResultCheck

    /// Loads the experiment at `path`, writes the run directory's shared files when they are
    /// missing (a run started again keeps its split) and expands the jobs.
    public static func prepare(experimentPath path: String, runDirectory: URL, registry: MethodRegistry = .standard) throws -> ExperimentRun {
        let loaded = try Experiment.load(path: path, catalog: registry)
        // A dataset path is read by workers on other machines and in other directories: send
        // it absolute, resolved against the directory the run was started from.
        var dataset = loaded.dataset
        var paths: [String] = []
        let relative = dataset[DatasetSettings.path]
        if !relative.isEmpty {
            let absolute = URL(fileURLWithPath: relative).standardizedFileURL
            dataset = dataset.replacing(DatasetSettings.path, with: absolute.path)
            paths.append(absolute.path)
        }
        let datasetSettings = DatasetSettings(dataset)
        let opened = try datasetSettings.open()
        let jobs = try RunSetup.prepare(experiment: loaded, dataset: opened, registry: registry, runDirectory: runDirectory)
        let specs = try jobs.map { job in
            var settings = try JobSettings(of: job)
            settings.dataset = dataset.json
            var spec = job
            spec.settings = settings.json
            return spec
        }
        let check = ResultCheck(split: try datasetSettings.split(opened, folds: loaded.folds))
        return ExperimentRun(experiment: loaded, jobs: specs, datasetPaths: paths, resultCheck: check)
    }

    /// The experiment's `runner:` section.
    public var runner: RunnerSettings { experiment.runner }
}
