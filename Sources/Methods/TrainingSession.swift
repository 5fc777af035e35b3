import Datasets
import Foundation
import SeededRandom
import TensorBoardEvents
import TrainingCore

/// The training bookkeeping shared by all methods: phases of epochs, a checkpoint at the end
/// of every `checkpoint_every` epochs (every model, optimiser and dropout counter of the
/// phase), resumption from the last checkpoint, the per-epoch loss log (losses.csv) and
/// progress with an ETA. State lives in `<job>/checkpoints/`: one `<phase>.h5` per phase and
/// `state.json` naming the epochs each phase has completed. Beside them, a row per optimiser
/// step in scalars.csv and, when the job holds out validation cases, the validation Dice of
/// every epoch in validation.csv (docs/run-directory.md).
public final class TrainingSession {
    /// The job's output directory.
    public let directory: URL
    private let checkpointEvery: Int
    private let random: SeededGenerator
    private let progress: (TrainingProgress) -> Void
    private let shouldStop: () -> Bool
    private var state: SessionState
    private let validation: ValidationSet?
    private var scalars: EpochLog
    private var validationLog: EpochLog
    private var stepsThisRun = 0
    private var secondsThisRun = 0.0
    /// Steps the method announced for the whole job, for the ETA.
    public var plannedSteps = 0

    struct LossRow: Codable, Equatable {
        var phase: String
        var epoch: Int
        var values: [String: Double]
    }

    struct SessionState: Codable {
        var epochsDone: [String: Int] = [:]
        var losses: [LossRow] = []
        var steps = 0
        var trainingSeconds = 0.0
    }

    /// A session in `directory`, resuming from its checkpoint state when there is one.
    /// `validation`: the held-out cases scored after every epoch of a phase given a predictor.
    init(directory: URL, checkpointEvery: Int, random: SeededGenerator, validation: ValidationSet? = nil,
         progress: @escaping (TrainingProgress) -> Void, shouldStop: @escaping () -> Bool) throws {
        self.directory = directory
        self.checkpointEvery = checkpointEvery
        self.random = random
        self.validation = validation
        self.progress = progress
        self.shouldStop = shouldStop
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let stateURL = directory.appendingPathComponent("checkpoints/state.json")
        if let data = try? Data(contentsOf: stateURL) {
            do { state = try JSONDecoder().decode(SessionState.self, from: data) } catch {
                throw TrainingError(file: stateURL.path, message: "not a session state: \(error)")
            }
        } else {
            state = SessionState()
        }
        let checkpointed = state.epochsDone
        let keep = { (phase: String, epoch: Int) in epoch <= checkpointed[phase] ?? 0 }
        scalars = EpochLog(url: directory.appendingPathComponent("scalars.csv"), leading: Self.scalarColumns, keep: keep)
        validationLog = EpochLog(url: directory.appendingPathComponent("validation.csv"), leading: Self.validationColumns, keep: keep)
    }

    /// The first columns of scalars.csv; the losses and the step's ``PhaseStep/scalars`` follow.
    static let scalarColumns = ["phase", "epoch", "step", "global_step", "learning_rate"]
    /// The columns of validation.csv.
    static let validationColumns = ["phase", "epoch", "global_step", "val_dice", "val_cases"]

    /// Optimiser steps taken by the job (all phases, all runs of it).
    public var steps: Int { state.steps }
    /// Seconds spent in training steps (all runs of the job).
    public var trainingSeconds: Double { state.trainingSeconds }
    /// The checkpoint file of a phase.
    public func checkpoint(_ phase: String) -> URL { directory.appendingPathComponent("checkpoints/\(phase).h5") }
    /// Whether `phase` finished in this or an earlier run.
    public func isComplete(_ phase: String, epochs: Int) -> Bool { (state.epochsDone[phase] ?? 0) >= epochs }

    /// Runs (or resumes, or skips when done) `epochs` epochs of `stepsPerEpoch` steps of
    /// `step`, which returns the step's losses (one of them named "loss"; a loss that is not
    /// finite stops the phase with ``TrainingDiverged``). The learning rate
    /// of every optimiser is set before each step from `learningRate(epoch, iteration)`.
    /// `models` and `optimisers` are what a checkpoint of this phase holds: when the phase is
    /// resumed or already complete, they are loaded from its checkpoint first. `validating`
    /// predicts with the segmentation network(s) this phase trains: when the job holds out
    /// validation cases, it is scored on them after every epoch.
    public func runPhase(
        _ phase: String, epochs: Int, stepsPerEpoch: Int,
        models: [(name: String, model: any Module)], optimisers: [(name: String, optimiser: any Optimiser)],
        learningRate: ((_ epoch: Int, _ iteration: Int) -> Float)? = nil,
        validating: (any SlicePredictor)? = nil,
        step: (inout PhaseStep) throws -> [String: Float]
    ) throws {
        precondition(stepsPerEpoch > 0 && epochs >= 0, "runPhase: \(epochs) epochs of \(stepsPerEpoch) steps")
        let done = min(state.epochsDone[phase] ?? 0, epochs)
        if done > 0 {
            try Checkpoint.load(from: checkpoint(phase).path, models: models, optimisers: optimisers)
        }
        let total = epochs * stepsPerEpoch
        for epoch in done..<epochs {
            var sums: [String: Double] = [:]
            var current = PhaseStep(epoch: epoch, step: 0, iteration: epoch * stepsPerEpoch, totalIterations: total,
                                    random: random.derived("phase-" + phase, epoch))
            for s in 0..<stepsPerEpoch {
                current = PhaseStep(epoch: epoch, step: s, iteration: epoch * stepsPerEpoch + s, totalIterations: total, random: current.random)
                if let learningRate {
                    let rate = learningRate(epoch, current.iteration)
                    for (_, optimiser) in optimisers { optimiser.learningRate = rate }
                }
                let start = Date()
                let losses = try step(&current)
                secondsThisRun += Date().timeIntervalSince(start)
                state.trainingSeconds += Date().timeIntervalSince(start)
                // Sorted, so that of several non-finite losses the same one is named every run.
                if let (name, value) = losses.sorted(by: { $0.key < $1.key }).first(where: { !$0.value.isFinite }) {
                    throw TrainingDiverged(loss: name, value: value, phase: phase, epoch: epoch + 1, step: s + 1)
                }
                stepsThisRun += 1
                state.steps += 1
                for (key, value) in losses { sums[key, default: 0] += Double(value) }
                logScalars(phase: phase, epoch: epoch + 1, step: s + 1, losses: losses, reported: current.scalars,
                           learningRate: optimisers.first?.optimiser.learningRate)
                let remaining = max(plannedSteps - state.steps, 0)
                progress(TrainingProgress(phase: phase, epoch: epoch + 1, epochs: epochs, step: s + 1, stepsPerEpoch: stepsPerEpoch,
                                     losses: losses, stepsDone: state.steps, stepsPlanned: plannedSteps,
                                     etaSeconds: plannedSteps > 0 ? secondsThisRun / Double(stepsThisRun) * Double(remaining) : nil))
            }
            state.losses.append(LossRow(phase: phase, epoch: epoch + 1, values: sums.mapValues { $0 / Double(stepsPerEpoch) }))
            if let validation, let validating {
                validationLog.append([phase, String(epoch + 1), String(state.steps), String(validation.meanDice(validating)), String(validation.slices.count)], [:])
                try validationLog.write()
            }
            try scalars.write()
            try writeEvents()
            if (epoch + 1) % checkpointEvery == 0 || epoch + 1 == epochs {
                try Checkpoint.save(to: checkpoint(phase).path, models: models, optimisers: optimisers, step: state.steps)
                state.epochsDone[phase] = epoch + 1
                try saveState()
                if epoch + 1 < epochs, shouldStop() { throw JobStopped(phase: phase, epochsDone: epoch + 1) }
            }
        }
    }

    /// Where the TensorBoard event file goes: `tensorboard --logdir RUN_DIR/jobs` shows a run per job.
    static let eventFile = "tensorboard/events.out.tfevents.0.sparseseg"

    /// Rewrites the TensorBoard event file from the two logs: `train/<column>` per step,
    /// `validation/dice` per validated epoch, in the order of the steps. The wall time is not
    /// recorded (0), so that the file, like the logs, is the same after a resume.
    private func writeEvents() throws {
        var records: [(step: Int, record: EventFile.Record)] = scalars.rows.compactMap { row in
            guard let step = Int(row.leading[3]) else { return nil }
            var values = row.values.sorted { $0.key < $1.key }.compactMap { name, text in Float(text).map { ("train/" + name, $0) } }
            if let rate = Float(row.leading[4]) { values.insert(("train/learning_rate", rate), at: 0) }
            return (step, EventFile.Record(step: step, wallTime: 0, values: values))
        }
        records += validationLog.rows.compactMap { row in
            guard let step = Int(row.leading[2]), let dice = Float(row.leading[3]) else { return nil }
            return (step, EventFile.Record(step: step, wallTime: 0, values: [("validation/dice", dice)]))
        }
        // Stable: a validation record follows the step it was taken after.
        let ordered = records.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element.record)
        try AtomicWrite.data(Data(EventFile.encode(ordered)), to: directory.appendingPathComponent(Self.eventFile))
    }

    /// Adds the row of one step to scalars.csv's log.
    private func logScalars(phase: String, epoch: Int, step: Int, losses: [String: Float], reported: [String: Float], learningRate: Float?) {
        precondition(Set(losses.keys).isDisjoint(with: reported.keys), "a step reported \(reported.keys.sorted()) both as losses and as scalars")
        let values = losses.merging(reported) { loss, _ in loss }.mapValues { String($0) }
        scalars.append([phase, String(epoch), String(step), String(state.steps), learningRate.map { String($0) } ?? ""], values)
    }

    /// Writes state.json and losses.csv (atomically).
    private func saveState() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicWrite.data(try encoder.encode(state), to: directory.appendingPathComponent("checkpoints/state.json"))
        let keys = Set(state.losses.flatMap(\.values.keys)).sorted()
        var csv = (["phase", "epoch"] + keys).joined(separator: ",") + "\n"
        for row in state.losses {
            csv += ([row.phase, String(row.epoch)] + keys.map { row.values[$0].map { String($0) } ?? "" }).joined(separator: ",") + "\n"
        }
        try AtomicWrite.text(csv, to: directory.appendingPathComponent("losses.csv"))
    }

    /// The mean losses of each epoch so far, in order (what losses.csv holds).
    public var lossLog: [(phase: String, epoch: Int, values: [String: Double])] {
        state.losses.map { ($0.phase, $0.epoch, $0.values) }
    }
}
