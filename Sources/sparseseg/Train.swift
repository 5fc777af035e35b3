import ArgumentParser
import Experiments
import Foundation
import Methods
import Runner

/// `sparseseg train EXPERIMENT --method M --fold K [--out DIR]`: one job, in-process.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one method on one fold of an experiment with one seed, predict and score its test volumes.",
        discussion: """
            Writes RUN_DIR/jobs/<method>/fold<k>/seed<s>/ (metrics.json, cases.csv, losses.csv, predictions, \
            checkpoints) and, when missing, RUN_DIR's experiment.resolved.yaml, folds.json and jobs.json, \
            so that `sparseseg report RUN_DIR` can read it. Run again on the same RUN_DIR, it resumes \
            from the job's last checkpoint.
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
        let datasetSettings = DatasetSettings(experiment.dataset)
        let dataset = try datasetSettings.open(cacheDirectory: runDirectory)
        try RunSetup.prepare(experiment: experiment, dataset: dataset, registry: registry, runDirectory: runDirectory)
        let split = try datasetSettings.split(dataset, folds: experiment.folds)
        let bar = ProgressLine(terminal: isatty(STDOUT_FILENO) != 0)
        let outcome = try JobRunner.run(job: job, dataset: dataset, split: split, runDirectory: runDirectory, registry: registry,
                                        progress: bar.update)
        bar.finish()
        for item in outcome.cases {
            print("\(item.caseID)  dice \(format(item.metrics.dice))  assd \(item.metrics.assd.map(format) ?? "n/a")  \(item.metrics.flags)")
        }
        print("\(job.id): mean dice \(format(outcome.meanDice)) over \(outcome.cases.count) cases, \(outcome.steps) steps, \(String(format: "%.1f", outcome.wallSeconds)) s")
        if let pseudo = outcome.pseudoLabels {
            for name in ["y_semi", "y_ssl", "y_final"] {
                guard let counts = pseudo[name] else { continue }
                let t = counts.overall
                print("  \(name): dice \(t.dice.map(format) ?? "n/a")  precision \(t.precision.map(format) ?? "n/a")  recall \(t.recall.map(format) ?? "n/a")")
            }
        }
        print("wrote \(outcome.directory.path)")
    }

    private func format(_ value: Double) -> String { String(format: "%.4f", value) }
}

/// A one-line progress bar with an ETA on a terminal; one line per epoch otherwise.
final class ProgressLine {
    private let terminal: Bool
    private var lastDraw = Date.distantPast

    init(terminal: Bool) { self.terminal = terminal }

    func update(_ p: Methods.JobProgress) {
        let eta = p.etaSeconds.map { String(format: "ETA %dm%02ds", Int($0) / 60, Int($0) % 60) } ?? "ETA --"
        let loss = p.losses["loss"].map { String(format: "loss %.4f", $0) } ?? ""
        let text = "\(p.phase) epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.stepsPerEpoch) \(loss) \(eta)"
        if terminal {
            guard Date().timeIntervalSince(lastDraw) > 0.2 || p.step == p.stepsPerEpoch else { return }
            lastDraw = Date()
            let done = p.stepsPlanned > 0 ? Double(p.stepsDone) / Double(p.stepsPlanned) : 0
            let filled = Int(done * 20)
            print("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + text + "\u{1B}[K", terminator: "")
            fflush(nil)
        } else if p.step == p.stepsPerEpoch {
            print(text)
        }
    }

    func finish() {
        if terminal { print("") }
    }
}
