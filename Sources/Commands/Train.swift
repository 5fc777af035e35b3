import ArgumentParser
import Experiments
import Foundation
import Jobs
import Methods
import Reports
import Runner

/// `sparseseg train EXPERIMENT --method M --fold K [--out DIR]`: one job, in-process.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one method on one fold of an experiment with one seed, predict and score its test volumes.",
        discussion: """
            Writes RUN_DIR/jobs/<method>/fold<k>/seed<s>/ (metrics.json, cases.csv, losses.csv, predictions, \
            checkpoints) and, when missing, RUN_DIR's experiment.resolved.yaml, folds.json and jobs.json, \
            so that `sparseseg report RUN_DIR` can read it. Run again on the same RUN_DIR, it resumes \
            an interrupted job from its last checkpoint, and prints the stored result of a job that \
            completed without training it again.
            """)

    @Argument(help: "The experiment file (YAML).")
    var experiment: String

    @Option(help: "The method (see `sparseseg methods`).")
    var method: String

    @Option(help: "The fold, 0-based.")
    var fold: Int

    @Option(help: "The seed, one of the experiment's seeds (default: its first).")
    var seed: Int?

    @Option(help: "The run directory (default: runs/<experiment name>).")
    var out: String?

    func run() throws {
        let registry = MethodRegistry.standard
        let experiment = try Experiment.load(path: experiment, catalog: registry)
        let job = try RunSetup.job(experiment, method: method, fold: fold, seed: seed, registry: registry)
        let runDirectory = URL(fileURLWithPath: out ?? "runs/\(experiment.name)")
        // Never beside a live coordinator: it would take this job's results for its own.
        let lock = try JournalLock.holdIfPresent(in: runDirectory)
        defer { withExtendedLifetime(lock) {} }
        if try printStoredResult(of: job, experiment: experiment, registry: registry, runDirectory: runDirectory) { return }
        let datasetSettings = DatasetSettings(experiment.dataset)
        let dataset = try datasetSettings.open(cacheDirectory: runDirectory)
        try RunSetup.prepare(experiment: experiment, dataset: dataset, registry: registry, runDirectory: runDirectory)
        let split = try datasetSettings.split(dataset, folds: experiment.folds)
        let bar = ProgressLine(terminal: isatty(STDOUT_FILENO) != 0)
        let outcome = try JobRunner.run(job: job, dataset: dataset, split: split, runDirectory: runDirectory, registry: registry,
                                        progress: bar.update)
        bar.finish()
        for item in outcome.cases {
            print(caseLine(item.caseID, dice: item.metrics.dice, assd: item.metrics.assd, flags: "\(item.metrics.flags)"))
        }
        print(summaryLine(job.id, meanDice: outcome.meanDice, cases: outcome.cases.count, steps: outcome.steps, seconds: outcome.wallSeconds))
        if let pseudo = outcome.pseudoLabels {
            for name in ["y_semi", "y_ssl", "y_final"] {
                guard let t = pseudo[name]?.overall else { continue }
                print(pseudoLabelLine(name, dice: t.dice, precision: t.precision, recall: t.recall))
            }
        }
        print("wrote \(outcome.directory.path)")
    }

    /// Prints the result of `job` and returns true when the run directory holds it completed
    /// for this experiment: training it again would only redo the work (and overwrite its
    /// timing with that of the rerun). An interrupted job has no metrics.json: false, and it
    /// resumes from its checkpoints.
    private func printStoredResult(of job: JobSpec, experiment: Experiment, registry: MethodRegistry, runDirectory: URL) throws -> Bool {
        let directory = JobRunner.directory(runDirectory: runDirectory, method: job.method, fold: job.fold, seed: job.seed)
        let metricsURL = directory.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metricsURL.path),
            try RunSetup.holds(experiment, registry: registry, runDirectory: runDirectory)
        else { return false }
        let metrics = try Reports.JobMetrics.decode(try Data(contentsOf: metricsURL), file: metricsURL.path)
        guard metrics.status == .completed else { return false }
        print("\(job.id) was already complete: not training it again (its result, from \(metricsURL.path); remove \(directory.path) to train it anew)")
        for row in metrics.cases {
            print(caseLine(row.caseID, dice: row.value(.dice), assd: row.value(.assd), flags: row.flags.isEmpty ? "ok" : row.flags.joined(separator: ",")))
        }
        let dice = metrics.cases.compactMap { $0.value(.dice) }
        print(summaryLine(job.id, meanDice: dice.isEmpty ? .nan : dice.reduce(0, +) / Double(dice.count), cases: metrics.cases.count,
                          steps: metrics.timing.steps, seconds: metrics.timing.wallSeconds))
        let pseudoURL = directory.appendingPathComponent("pseudo_labels.json")
        if FileManager.default.fileExists(atPath: pseudoURL.path) {
            let pseudo = try PseudoLabelCounts.decode(try Data(contentsOf: pseudoURL), file: pseudoURL.path)
            for name in PseudoLabelCounts.kinds {
                guard let t = pseudo.overall[name] else { continue }
                print(pseudoLabelLine(name, dice: t.dice, precision: t.precision, recall: t.recall))
            }
        }
        return true
    }

    private func caseLine(_ id: String, dice: Double?, assd: Double?, flags: String) -> String {
        "\(id)  dice \(dice.map(format) ?? "n/a")  assd \(assd.map(format) ?? "n/a")  \(flags)"
    }

    private func summaryLine(_ id: String, meanDice: Double, cases: Int, steps: Int?, seconds: Double?) -> String {
        "\(id): mean dice \(format(meanDice)) over \(counted(cases, "case")), \(steps.map { counted($0, "step") } ?? "n/a steps"), \(seconds.map(DurationText.format) ?? "n/a")"
    }

    private func pseudoLabelLine(_ name: String, dice: Double?, precision: Double?, recall: Double?) -> String {
        "  \(name): dice \(dice.map(format) ?? "n/a")  precision \(precision.map(format) ?? "n/a")  recall \(recall.map(format) ?? "n/a")"
    }

    private func format(_ value: Double) -> String { String(format: "%.4f", value) }
}
