import Datasets
import Experiments
import Foundation
import Methods
import Runner

/// Runs the methods' jobs on a worker: the bridge between the runner, which knows jobs, and
/// the Methods module, which knows how to train, predict and score one fold.
///
/// A job's settings carry everything it needs besides the run directory: `training`,
/// `method`, `dataset` (resolved, with an absolute dataset path) and `folds`. They are checked
/// again here against the schemas, so a malformed assignment fails the job with a clear reason
/// instead of stopping the worker.
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

    public func run(_ spec: JobSpec, context: JobContext) throws -> JobOutput {
        let (job, datasetSettings, folds) = try decode(spec)
        // JobRunner writes RUN_DIR/jobs/<method>/fold<k>/seed<s>, and the worker's job directory
        // is RUN_DIR/jobs/<job id>: the id must be exactly that path.
        let expected = ExperimentJob.identifier(method: job.method, fold: job.fold, seed: job.seed)
        guard expected == spec.id else {
            throw PipelineError("job \(spec.id): a training job's id must be \(expected)")
        }
        var runDirectory = context.directory
        for _ in 0..<(expected.split(separator: "/").count + 1) { runDirectory.deleteLastPathComponent() }
        let dataset = try dataset(for: datasetSettings)
        let split = try datasetSettings.split(dataset, folds: folds)
        let outcome = try JobRunner.run(
            job: job, dataset: dataset, split: split, runDirectory: runDirectory, registry: registry,
            worker: ProcessInfo.processInfo.hostName, threads: context.threads,
            progress: { context.report(Self.progress($0)) },
            shouldStop: { context.isCancelled })
        return JobOutput(rows: try ResultFiles.rows(in: outcome.directory), artefacts: ResultFiles.artefacts(in: outcome.directory))
    }

    private func decode(_ spec: JobSpec) throws -> (ExperimentJob, DatasetSettings, Int) {
        guard let registration = registry.registration(spec.method) else {
            throw PipelineError("job \(spec.id): unknown method \(spec.method)")
        }
        func section(_ name: String) throws -> [LocatedSetting] {
            guard let value = spec.settings[name] else { return [] }
            guard case .map(let entries) = try SettingsBridge.setting(value, key: name) else {
                throw PipelineError("job \(spec.id): settings.\(name) is not an object")
            }
            return entries.keys.sorted().map { LocatedSetting(key: $0, value: entries[$0]!, line: nil) }
        }
        let file = "job \(spec.id)"
        let training = try registry.trainingSchema.resolve(try section("training"), path: "training", file: file)
        let method = try registration.schema.resolve(try section("method"), path: "method", file: file)
        let dataset = try DatasetSettings.schema.resolve(try section("dataset"), path: "dataset", file: file)
        guard let folds = spec.settings["folds"]?.number, folds >= 2, folds.rounded() == folds, spec.fold < Int(folds) else {
            throw PipelineError("job \(spec.id): settings.folds must be an integer of at least 2 above the fold \(spec.fold)")
        }
        let job = ExperimentJob(
            id: spec.id, method: spec.method, fold: spec.fold, seed: Int(spec.seed),
            settings: .map(["training": .map(training), "method": .map(method)]), expectedCost: spec.expectedCost)
        return (job, DatasetSettings(dataset), Int(folds))
    }

    private func dataset(for settings: DatasetSettings) throws -> Dataset {
        try lock.withLock {
            if let open = openDataset, open.settings == settings { return open.dataset }
            let dataset = try settings.open()
            openDataset = (settings, dataset)
            return dataset
        }
    }

    static func progress(_ p: Methods.JobProgress) -> Runner.JobProgress {
        Runner.JobProgress(
            epoch: p.epoch, epochs: p.epochs, step: p.stepsDone, steps: p.stepsPlanned,
            loss: p.losses["loss"].map(Double.init),
            fraction: p.stepsPlanned > 0 ? Double(p.stepsDone) / Double(p.stepsPlanned) : nil,
            etaSeconds: p.etaSeconds)
    }
}
