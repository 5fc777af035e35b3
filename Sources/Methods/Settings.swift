import Datasets
import Experiments
import TrainingCore

/// The training settings shared by every method (the `training:` section). The defaults are
/// docs/methods.md's paper schedule: Adam, lr 1e-4 halved every 30 epochs, 100 epochs, batch 4,
/// Dice + 1 * CE, rotation and flip, the SSL4MIS U-Net.
public struct TrainingSettings: Sendable {
    public static let epochs = Setting<Int>("epochs", 1...100_000, default: 100, help: "epochs of the final network (docs/methods.md: 100)")
    public static let batchSize = Setting<Int>("batch_size", 1...1024, default: 4, help: "labelled slices per step, and as many unlabelled (docs/methods.md: 4)")
    public static let stepsPerEpoch = Setting<Int>(
        "steps_per_epoch", 0...1_000_000, default: 0,
        help: "optimiser steps per epoch; 0 = one pass over the unlabelled slices, ceil(unlabelled / batch_size), for every method")
    public static let optimiser = Setting<OptimiserChoice>("optimiser", default: .adam, help: "Adam (paper) or SGD with momentum (SSL4MIS)")
    public static let learningRate = Setting<Double>("learning_rate", 1e-9...10, default: 1e-4, help: "base learning rate (paper: 1e-4)")
    public static let weightDecay = Setting<Double>("weight_decay", 0...1, default: 0, help: "L2 weight decay (the paper does not give one)")
    public static let momentum = Setting<Double>("momentum", 0...1, default: 0.9, help: "SGD momentum (SSL4MIS: 0.9)")
    public static let schedule = Setting<ScheduleChoice>("schedule", default: .step, help: "step decay (paper) or poly decay (SSL4MIS)")
    public static let stepEveryEpochs = Setting<Int>("step_every_epochs", 1...100_000, default: 30, help: "step schedule: decay every this many epochs (paper: 30)")
    public static let stepFactor = Setting<Double>("step_factor", 0...1, default: 0.5, help: "step schedule: factor (paper: halve)")
    public static let polyPower = Setting<Double>("poly_power", 0...10, default: 0.9, help: "poly schedule: power (SSL4MIS: 0.9)")
    public static let gamma = Setting<Double>("gamma", 0...100, default: 1, help: "supervised loss Dice + gamma * CE (paper: 1)")
    public static let augment = Setting<Bool>("augment", default: true, help: "SSL4MIS rotation and flip augmentation")
    public static let channels = Setting<[Int]>("channels", each: 1...4096, count: 2...8, default: [16, 32, 64, 128, 256], help: "U-Net widths per level (SSL4MIS)")
    public static let encoderDropout = Setting<[Double]>("encoder_dropout", each: 0...0.95, count: 2...8, default: [0.05, 0.1, 0.2, 0.3, 0.5],
                                                         help: "dropout of each encoder block (SSL4MIS); one per level")
    public static let checkpointEvery = Setting<Int>("checkpoint_every", 1...100_000, default: 1, help: "save a resumable checkpoint every this many epochs")
    public static let validationCases = Setting<Int>(
        "validation_cases", 0...100_000, default: 0,
        help: "training cases of the fold held out and scored (central-slice Dice) after every epoch; 0 = none")
    public static let blasThreads = Setting<Int>(
        "blas_threads", 0...256, default: 0,
        help: "OpenBLAS threads of the job; 0: the worker's --threads (1 for sparseseg train). Results are bit-identical for a seed and a thread count")

    /// The section's schema, in the order settings are documented and written out.
    public static let schema = SettingsSchema(name: "training", [
        epochs, batchSize, stepsPerEpoch, optimiser, learningRate, weightDecay, momentum, schedule, stepEveryEpochs, stepFactor,
        polyPower, gamma, augment, channels, encoderDropout, checkpointEvery, validationCases, blasThreads,
    ])

    public let epochs: Int
    public let batchSize: Int
    public let stepsPerEpoch: Int
    public let optimiser: OptimiserChoice
    public let learningRate: Float
    public let weightDecay: Float
    public let momentum: Float
    public let schedule: ScheduleChoice
    public let stepEveryEpochs: Int
    public let stepFactor: Float
    public let polyPower: Float
    public let gamma: Float
    public let augment: Bool
    public let channels: [Int]
    public let encoderDropout: [Float]
    public let checkpointEvery: Int
    /// Training cases of the fold held out for the per-epoch validation Dice (0: none).
    public let validationCases: Int
    public let blasThreads: Int

    /// Reads a resolved `training` section.
    public init(_ r: ResolvedSettings) throws {
        epochs = r[Self.epochs]
        batchSize = r[Self.batchSize]
        stepsPerEpoch = r[Self.stepsPerEpoch]
        optimiser = r[Self.optimiser]
        learningRate = Float(r[Self.learningRate])
        weightDecay = Float(r[Self.weightDecay])
        momentum = Float(r[Self.momentum])
        schedule = r[Self.schedule]
        stepEveryEpochs = r[Self.stepEveryEpochs]
        stepFactor = Float(r[Self.stepFactor])
        polyPower = Float(r[Self.polyPower])
        gamma = Float(r[Self.gamma])
        augment = r[Self.augment]
        channels = r[Self.channels]
        encoderDropout = r[Self.encoderDropout].map(Float.init)
        checkpointEvery = r[Self.checkpointEvery]
        validationCases = r[Self.validationCases]
        blasThreads = r[Self.blasThreads]
        guard channels.count == encoderDropout.count else {
            throw ExperimentError(file: "(job settings)", line: nil, key: "training." + Self.encoderDropout.key,
                                  message: "gives \(encoderDropout.count) values for \(channels.count) U-Net levels")
        }
    }

    /// Splits the fold's training view into what trains and the ``validationCases`` held out
    /// (``TrainingView/holdingOut(_:seed:)`` with the run's split seed); nil validation when
    /// none are. At least one case must remain to train on.
    public func holdOutValidation(_ view: TrainingView, splitSeed: UInt64) throws -> (training: TrainingView, validation: ValidationSet?) {
        guard validationCases > 0 else { return (view, nil) }
        guard validationCases < view.cases.count else {
            throw ExperimentError(file: "(job settings)", line: nil, key: "training." + Self.validationCases.key,
                                  message: "holds out \(validationCases) of the \(view.cases.count) training cases of fold \(view.fold); at least one must remain to train on, so give at most \(view.cases.count - 1)")
        }
        let (training, validation) = view.holdingOut(validationCases, seed: splitSeed)
        return (training, validation)
    }

    /// The U-Net of docs/methods.md with these widths and dropouts.
    public var unetConfiguration: UNetConfiguration {
        UNetConfiguration(widths: channels, encoderDropout: encoderDropout)
    }

    /// The in-plane size must be a multiple of this for the U-Net's pooling.
    public var sizeMultiple: Int { 1 << (channels.count - 1) }

    /// The learning rate at `epoch` (step schedule) or at `iteration` of `totalIterations` (poly).
    public func learningRate(epoch: Int, iteration: Int, totalIterations: Int) -> Float {
        schedule == .poly
            ? Schedule.poly(base: learningRate, iteration: iteration, total: max(totalIterations, 1), power: polyPower)
            : Schedule.stepDecay(base: learningRate, epoch: epoch, every: stepEveryEpochs, factor: stepFactor)
    }
}

/// The optimiser of a training section.
public enum OptimiserChoice: String, SettingChoice {
    /// Adam (the paper).
    case adam
    /// SGD with momentum (SSL4MIS).
    case sgd
}

/// The learning-rate schedule of a training section.
public enum ScheduleChoice: String, SettingChoice {
    /// Multiply by `step_factor` every `step_every_epochs` (the paper).
    case step
    /// (1 - iteration / total)^power (SSL4MIS).
    case poly
}
