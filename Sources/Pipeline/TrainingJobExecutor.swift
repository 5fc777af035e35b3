import Datasets
import Experiments
import Foundation
import Jobs
import Methods
import Runner

/// Runs the methods' jobs on a worker: the bridge between the runner, which knows jobs, and
/// the Methods module, which knows how to train, predict and score one fold.
///
/// A job's settings (``JobSettings``) carry everything it needs besides the run directory;
/// ``JobRunner`` checks them against the schemas, so a malformed assignment fails the job with
/// a clear reason instead of stopping the worker.
public final class TrainingJobExecutor: JobExecutor, @unchecked Sendable {
    private let registry: MethodRegistry
    private let lock = NSLock()
    // One dataset kept open per worker: every job of a run reads the same one.
    private var openDataset: (settings: DatasetSettings, dataset: Dataset)?

    /// An executor for the methods of `registry`.
    public init(registry: MethodRegistry = .standard) {
        self.registry = registry
    }

    public func handles(method: String) -> Bool {
        registry.registration(method) != nil
    }

    public func run(_ job: JobSpec, context: JobContext) throws -> JobOutput {
        // JobRunner writes RUN_DIR/jobs/<method>/fold<k>/seed<s>, and the worker's job directory
        // is RUN_DIR/jobs/<job id>: the id must be exactly that path.
        let expected = JobSpec.identifier(method: job.method, fold: job.fold, seed: job.seed)
        guard expected == job.id else {
            throw PipelineError("job \(job.id): a training job's id must be \(expected)")
        }
        let sections = try JobSettings(of: job)
        let datasetSettings = try JobRunner.datasetSettings(sections, of: job)
        let dataset = try dataset(for: datasetSettings)
        let split = try datasetSettings.split(dataset, folds: sections.folds)
        let outcome = try JobRunner.run(
            job: job, dataset: dataset, split: split, runDirectory: context.runDirectory, registry: registry,
            worker: ProcessInfo.processInfo.hostName, threads: context.threads,
            progress: { context.report(Self.progress($0)) },
            shouldStop: { context.isCancelled })
        return JobOutput(rows: try ResultFiles.rows(in: outcome.directory), artefacts: ResultFiles.artefacts(in: outcome.directory))
    }

    private func dataset(for settings: DatasetSettings) throws -> Dataset {
        try lock.withLock {
            if let open = openDataset, open.settings == settings { return open.dataset }
            let dataset = try settings.open()
            openDataset = (settings, dataset)
            return dataset
        }
    }

    static func progress(_ p: Methods.TrainingProgress) -> Runner.JobProgress {
        Runner.JobProgress(
            epoch: p.epoch, epochs: p.epochs, step: p.stepsDone, steps: p.stepsPlanned,
            loss: p.losses["loss"].map(Double.init),
            fraction: p.stepsPlanned > 0 ? Double(p.stepsDone) / Double(p.stepsPlanned) : nil,
            etaSeconds: p.etaSeconds)
    }
}
