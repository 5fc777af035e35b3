import Datasets
import Experiments
import Foundation
import HDF5
import Jobs
import Metrics
import SeededRandom
import TrainingCore

/// Runs one job, in-process: train the method on the fold's training view, predict every
/// slice of the fold's test volumes, map the predictions back to the original grid, score
/// them in 3D with the reference's spacing and write the job's outputs
/// (docs/run-directory.md). Callable from `sparseseg train` and from a runner's worker.
public enum JobRunner {
    /// The output directory of a job: `RUN_DIR/jobs/<job id>`, that is
    /// `RUN_DIR/jobs/<method>/fold<k>/seed<s>`.
    public static func directory(runDirectory: URL, method: String, fold: Int, seed: Int) -> URL {
        runDirectory.appendingPathComponent("jobs/" + JobSpec.identifier(method: method, fold: fold, seed: seed))
    }

    /// The dataset section of `job`'s settings, checked against the schema.
    public static func datasetSettings(_ sections: JobSettings, of job: JobSpec) throws -> DatasetSettings {
        DatasetSettings(try DatasetSettings.schema.resolve(json: sections.dataset, path: "dataset", file: "job \(job.id)"))
    }

    /// Runs `job`, a job of an experiment (its settings are ``JobSettings``): opens its
    /// dataset (a phantom is cached in the run directory) and splits it into the job's folds.
    /// Checkpoints every `checkpoint_every` epochs; run again on the same directory, it
    /// resumes from the last checkpoint and ends with the same result.
    ///
    /// - Parameters:
    ///   - registry: the methods (the standard registry unless a test adds its own).
    ///   - worker: the host name written into metrics.json.
    ///   - threads: the OpenBLAS threads the worker offers, used unless the job's
    ///     `training.blas_threads` pins a count.
    ///   - progress: called after every optimiser step.
    ///   - shouldStop: asked after every checkpoint; true stops the job with ``JobStopped``.
    public static func run(
        job: JobSpec, runDirectory: URL,
        registry: MethodRegistry = .standard, worker: String = ProcessInfo.processInfo.hostName, threads: Int = 1,
        progress: @escaping (TrainingProgress) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }
    ) throws -> JobOutcome {
        let sections = try JobSettings(of: job)
        let dataset = try datasetSettings(sections, of: job)
        let opened = try dataset.open(cacheDirectory: runDirectory)
        return try run(job: job, dataset: opened, split: try dataset.split(opened, folds: sections.folds), runDirectory: runDirectory,
                       registry: registry, worker: worker, threads: threads, progress: progress, shouldStop: shouldStop)
    }

    /// Runs `job` on an opened dataset and split (tests, and workers that keep the dataset open).
    public static func run(
        job: JobSpec, dataset: Dataset, split: FoldSplit, runDirectory: URL,
        registry: MethodRegistry = .standard, worker: String = ProcessInfo.processInfo.hostName, threads: Int = 1,
        progress: @escaping (TrainingProgress) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }
    ) throws -> JobOutcome {
        let started = Date()
        guard let registration = registry.registration(job.method) else {
            throw TrainingError(file: "(job \(job.id))", message: "unknown method '\(job.method)' (known: \(registry.methodNames.joined(separator: ", ")))")
        }
        // Checked here, where every job passes, whoever made it: a worker's job came off the wire.
        let sections = try JobSettings(of: job), file = "job \(job.id)"
        let training = try TrainingSettings(try registry.trainingSchema.resolve(json: sections.training, path: "training", file: file))
        let settings = try registration.schema.resolve(json: sections.method, path: "method", file: file)
        BLAS.threads = training.blasThreads > 0 ? training.blasThreads : max(1, threads)

        let (view, validation) = try training.holdOutValidation(try dataset.trainingView(fold: job.fold, of: split), splitSeed: split.seed)
        let tests = try dataset.testCases(fold: job.fold, of: split)
        guard let size = view.cases.first?.sliceSize else {
            throw TrainingError(file: dataset.location, message: "fold \(job.fold) has no training case")
        }
        guard size.ny % training.sizeMultiple == 0 && size.nx % training.sizeMultiple == 0 else {
            throw TrainingError(file: dataset.location, message: "slices are \(size.ny)x\(size.nx); a U-Net of \(training.channels.count) levels needs multiples of \(training.sizeMultiple) (training.channels)")
        }

        let directory = directory(runDirectory: runDirectory, method: job.method, fold: job.fold, seed: job.seed)
        let random = SeededGenerator(seed: UInt64(job.seed)).derived("fold", job.fold)
        let session = try TrainingSession(directory: directory, checkpointEvery: training.checkpointEvery, random: random.derived("session"),
                                          validation: validation, progress: progress, shouldStop: shouldStop)
        // The firewall: full training masks reach a method only through its registration.
        let allMasks = registration.labelAccess == .allTrainingMasks ? try dataset.hiddenLabels(fold: job.fold, of: split) : nil
        let context = MethodContext(method: job.method, view: view, training: training, settings: settings, random: random,
                                    session: session, allMasks: allMasks)
        let trained = try registration.make().train(context)

        var pseudoCounts: [String: PseudoLabelDiagnostics.Counts]?
        if let sets = trained.pseudoLabels {
            // Evaluation only: the hidden masks are read here, after training has ended.
            let counts = try PseudoLabelDiagnostics.counts(sets, hidden: try dataset.hiddenLabels(fold: job.fold, of: split))
            pseudoCounts = counts
            try AtomicWrite.data(try JSONSerialization.data(withJSONObject: PseudoLabelDiagnostics.json(counts), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
                                 to: directory.appendingPathComponent("pseudo_labels.json"))
            try sets.writeNIfTI(to: directory.appendingPathComponent("pseudo_labels"), dataset: dataset)
        }

        var results: [JobOutcome.CaseResult] = []
        var figure: [(id: String, slice: Int, image: [Float], reference: [UInt8], prediction: [UInt8])] = []
        for test in tests {
            let probabilities = trained.predictor.foregroundProbabilities(test.images, size: size)
            let predicted = test.probabilitiesToOriginal(probabilities)
            // NIfTI.write writes a temporary file and renames it into place.
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("predictions"), withIntermediateDirectories: true)
            try predicted.writeNIfTI(to: directory.appendingPathComponent("predictions/\(test.info.id).nii.gz").path)
            let spacing = test.reference.spacing
            let prediction = try BinaryVolume(shape: predicted.shape.dims, spacing: spacing, labels: predicted.voxels)
            let reference = try BinaryVolume(shape: test.reference.shape.dims, spacing: spacing, labels: test.reference.voxels)
            results.append(JobOutcome.CaseResult(caseID: test.info.id, site: test.info.site,
                                                 metrics: try evaluate(prediction: prediction, reference: reference),
                                                 diagnostics: try SliceDiagnostics(prediction: prediction, reference: reference)))
            // Figure 2's slice: the largest reference area on the stored grid, lowest z on ties.
            let areas = test.storedReference.slices.map { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
            let z = areas.indices.max { areas[$0] < areas[$1] || (areas[$0] == areas[$1] && $0 > $1) } ?? 0
            figure.append((test.info.id, z, test.images[z], test.storedReference.slice(z), probabilities[z].map { $0 > 0.5 ? 1 : 0 }))
        }
        try HDF5File.writeAtomically(to: directory.appendingPathComponent("figure_slices.h5").path) { root in
            for item in figure {
                let group = try root.createGroup(item.id)
                try group.write("image", item.image, shape: [size.ny, size.nx])
                try group.write("reference", item.reference, shape: [size.ny, size.nx])
                try group.write("prediction", item.prediction, shape: [size.ny, size.nx])
                try group.setAttribute("slice", item.slice)
            }
        }

        let wall = Date().timeIntervalSince(started)
        let outcome = JobOutcome(method: job.method, fold: job.fold, seed: job.seed, cases: results, pseudoLabels: pseudoCounts,
                                 wallSeconds: wall, steps: session.steps, directory: directory)
        try JobFiles.writeCasesCSV(outcome, to: directory.appendingPathComponent("cases.csv"))
        try JobFiles.writeMetrics(outcome, labelAccess: registration.labelAccess, worker: worker,
                                  trainingSeconds: session.trainingSeconds, to: directory.appendingPathComponent("metrics.json"))
        return outcome
    }
}
