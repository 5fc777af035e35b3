import ArgumentParser
import Foundation
import Jobs
import Logging
import Pipeline
import Runner

/// What `sparseseg coordinator` and `sparseseg run` serve: an experiment file (YAML), laid out
/// in the run directory and expanded into training jobs whose report is kept current, or a
/// JSON jobs file (jobs as they are, such as the tests' `test.*` jobs).
struct RunInputs {
    let jobs: [JobSpec]
    /// Paths outside the run directory that jobs may name: the dataset file.
    let datasetPaths: [String]
    let sinks: [any ResultSink]
    /// The experiment's `runner:` section, when the input is an experiment.
    let experimentRun: ExperimentRun?

    /// Sets what the coordinator accepts as a result: an experiment's results must carry its
    /// jobs' metrics for their folds' test cases.
    func configure(_ settings: inout CoordinatorConfiguration) {
        settings.allowedPathRoots += datasetPaths
        if let check = experimentRun?.resultCheck { settings.checkResult = { try check.check($0, $1) } }
    }

    static func load(_ path: String, runDirectory: URL, logger: Logger) throws -> RunInputs {
        if path.hasSuffix(".json") {
            return RunInputs(jobs: try JobsFile.load(URL(fileURLWithPath: path)), datasetPaths: [], sinks: [], experimentRun: nil)
        }
        let run = try ExperimentRun.prepare(experimentPath: path, runDirectory: runDirectory)
        return RunInputs(jobs: run.jobs, datasetPaths: run.datasetPaths,
                         sinks: [ReportingSink(runDirectory: runDirectory, logger: logger)], experimentRun: run)
    }

    /// The default run directory of an input file: runs/<its name>.
    static func defaultRunDirectory(for path: String) -> String {
        "runs/\(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)"
    }
}
