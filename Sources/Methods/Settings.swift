import Datasets
import Experiments
import TrainingCore

/// Typed reads of resolved settings. A key absent from the values (a job made by hand) falls
/// back to the schema's default; a key absent from the schema is a programming error.
public struct SettingsReader: Sendable {
    /// The schema the values were resolved against.
    public let schema: SettingsSchema
    /// The values, defaults filled in.
    public let values: [String: SettingValue]

    public init(schema: SettingsSchema, values: [String: SettingValue]) {
        self.schema = schema
        self.values = schema.defaults.merging(values) { _, given in given }
    }

    private func value(_ key: String) -> SettingValue {
        guard let value = values[key] else { preconditionFailure("setting '\(key)' is not in schema \(schema.name)") }
        return value
    }

    public func int(_ key: String) -> Int {
        guard let v = value(key).intValue else { preconditionFailure("\(schema.name).\(key) is not an integer") }
        return v
    }

    public func double(_ key: String) -> Double {
        guard let v = value(key).doubleValue else { preconditionFailure("\(schema.name).\(key) is not a number") }
        return v
    }

    public func float(_ key: String) -> Float { Float(double(key)) }

    public func bool(_ key: String) -> Bool {
        guard let v = value(key).boolValue else { preconditionFailure("\(schema.name).\(key) is not a boolean") }
        return v
    }

    public func string(_ key: String) -> String {
        guard let v = value(key).stringValue else { preconditionFailure("\(schema.name).\(key) is not a string") }
        return v
    }

    public func ints(_ key: String) -> [Int] {
        guard let list = value(key).listValue else { preconditionFailure("\(schema.name).\(key) is not a list") }
        return list.map { $0.intValue ?? 0 }
    }

    public func floats(_ key: String) -> [Float] {
        guard let list = value(key).listValue else { preconditionFailure("\(schema.name).\(key) is not a list") }
        return list.map { Float($0.doubleValue ?? 0) }
    }
}

/// Shorthands for schema literals.
func ints(_ values: [Int]) -> SettingValue { .list(values.map { .int($0) }) }
func numbers(_ values: [Double]) -> SettingValue { .list(values.map { .number($0) }) }

/// The training settings shared by every method (the `training:` section). The defaults are
/// docs/methods.md's paper schedule: Adam, lr 1e-4 halved every 30 epochs, 100 epochs, batch 4,
/// Dice + 1 * CE, rotation and flip, the SSL4MIS U-Net.
public struct TrainingSettings: Sendable {
    public static let schema = SettingsSchema(name: "training", specs: [
        SettingSpec("epochs", .int(1...100_000), default: .int(100), help: "epochs of the final network (docs/methods.md: 100)"),
        SettingSpec("batch_size", .int(1...1024), default: .int(4), help: "labelled slices per step, and as many unlabelled (docs/methods.md: 4)"),
        SettingSpec("steps_per_epoch", .int(0...1_000_000), default: .int(0),
                    help: "optimiser steps per epoch; 0 = one pass over the unlabelled slices, ceil(unlabelled / batch_size), for every method"),
        SettingSpec("optimiser", .choice(["adam", "sgd"]), default: .string("adam"), help: "Adam (paper) or SGD with momentum (SSL4MIS)"),
        SettingSpec("learning_rate", .number(1e-9...10), default: .number(1e-4), help: "base learning rate (paper: 1e-4)"),
        SettingSpec("weight_decay", .number(0...1), default: .number(0), help: "L2 weight decay (the paper does not give one)"),
        SettingSpec("momentum", .number(0...1), default: .number(0.9), help: "SGD momentum (SSL4MIS: 0.9)"),
        SettingSpec("schedule", .choice(["step", "poly"]), default: .string("step"), help: "step decay (paper) or poly decay (SSL4MIS)"),
        SettingSpec("step_every_epochs", .int(1...100_000), default: .int(30), help: "step schedule: decay every this many epochs (paper: 30)"),
        SettingSpec("step_factor", .number(0...1), default: .number(0.5), help: "step schedule: factor (paper: halve)"),
        SettingSpec("poly_power", .number(0...10), default: .number(0.9), help: "poly schedule: power (SSL4MIS: 0.9)"),
        SettingSpec("gamma", .number(0...100), default: .number(1), help: "supervised loss Dice + gamma * CE (paper: 1)"),
        SettingSpec("augment", .bool, default: .bool(true), help: "SSL4MIS rotation and flip augmentation"),
        SettingSpec("channels", .list(.int(1...4096), count: 2...8), default: ints([16, 32, 64, 128, 256]), help: "U-Net widths per level (SSL4MIS)"),
        SettingSpec("encoder_dropout", .list(.number(0...0.95), count: 2...8), default: numbers([0.05, 0.1, 0.2, 0.3, 0.5]),
                    help: "dropout of each encoder block (SSL4MIS); one per level"),
        SettingSpec("checkpoint_every", .int(1...100_000), default: .int(1), help: "save a resumable checkpoint every this many epochs"),
        SettingSpec("validation_cases", .int(0...100_000), default: .int(0),
                    help: "training cases of the fold held out and scored (central-slice Dice) after every epoch; 0 = none"),
        SettingSpec("blas_threads", .int(0...256), default: .int(0), help: "OpenBLAS threads of the job; 0: the worker's --threads (1 for sparseseg train). Results are bit-identical for a seed and a thread count"),
    ])

    public let epochs: Int
    public let batchSize: Int
    public let stepsPerEpoch: Int
    public let optimiser: String
    public let learningRate: Float
    public let weightDecay: Float
    public let momentum: Float
    public let schedule: String
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

    /// Reads resolved `training` settings.
    public init(_ values: [String: SettingValue]) throws {
        let r = SettingsReader(schema: Self.schema, values: values)
        epochs = r.int("epochs")
        batchSize = r.int("batch_size")
        stepsPerEpoch = r.int("steps_per_epoch")
        optimiser = r.string("optimiser")
        learningRate = r.float("learning_rate")
        weightDecay = r.float("weight_decay")
        momentum = r.float("momentum")
        schedule = r.string("schedule")
        stepEveryEpochs = r.int("step_every_epochs")
        stepFactor = r.float("step_factor")
        polyPower = r.float("poly_power")
        gamma = r.float("gamma")
        augment = r.bool("augment")
        channels = r.ints("channels")
        encoderDropout = r.floats("encoder_dropout")
        checkpointEvery = r.int("checkpoint_every")
        validationCases = r.int("validation_cases")
        blasThreads = r.int("blas_threads")
        guard channels.count == encoderDropout.count else {
            throw ExperimentError(file: "(job settings)", line: nil, key: "training.encoder_dropout",
                                  message: "gives \(encoderDropout.count) values for \(channels.count) U-Net levels")
        }
    }

    /// Splits the fold's training view into what trains and the ``validationCases`` held out
    /// (``TrainingView/holdingOut(_:seed:)`` with the run's split seed); nil validation when
    /// none are. At least one case must remain to train on.
    public func holdOutValidation(_ view: TrainingView, splitSeed: UInt64) throws -> (training: TrainingView, validation: ValidationSet?) {
        guard validationCases > 0 else { return (view, nil) }
        guard validationCases < view.cases.count else {
            throw ExperimentError(file: "(job settings)", line: nil, key: "training.validation_cases",
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
        schedule == "poly"
            ? Schedule.poly(base: learningRate, iteration: iteration, total: max(totalIterations, 1), power: polyPower)
            : Schedule.stepDecay(base: learningRate, epoch: epoch, every: stepEveryEpochs, factor: stepFactor)
    }
}
