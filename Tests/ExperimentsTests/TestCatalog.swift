import Experiments
import Jobs

/// A small catalog with the shapes of the real one: a dataset section, shared training
/// settings with a nested schedule, and two methods with their own settings.
struct TestCatalog: ExperimentCatalog {
    let datasetSchema = SettingsSchema(name: "dataset", [
        SettingSpec("path", .string, default: .string("data/phantom.h5"), help: "dataset file"),
        SettingSpec("image_size", .int(16...1024), default: .int(256), help: "in-plane size"),
    ])
    let trainingSchema = SettingsSchema(name: "training", [
        SettingSpec("epochs", .int(1...10_000), default: .int(100), help: "epochs"),
        SettingSpec("learning_rate", .number(1e-8...1), default: .number(1e-4), help: "Adam step size"),
        SettingSpec("optimizer", .choice(["adam", "sgd"]), default: .string("adam"), help: "optimiser"),
        SettingSpec("augment", .bool, default: .bool(true), help: "rotation and flip"),
        SettingSpec("channels", .list(.int(1...1024), count: 5...5), default: .array([16, 32, 64, 128, 256].map { .int($0) }), help: "U-Net widths"),
        SettingSpec("schedule", .section(SettingsSchema(name: "schedule", [
            SettingSpec("every_epochs", .int(1...10_000), default: .int(30), help: "halve every"),
            SettingSpec("factor", .number(0...1), default: .number(0.5), help: "decay factor"),
        ])), default: .object(["every_epochs": .int(30), "factor": .number(0.5)]), help: "step decay"),
    ])
    let methodNames = ["fs-lcs", "mt"]

    func methodSchema(_ method: String) -> SettingsSchema? {
        switch method {
        case "fs-lcs": SettingsSchema(name: "method fs-lcs", [])
        case "mt": SettingsSchema(name: "method mt", [
            SettingSpec("consistency_max", .number(0...100), default: .number(0.1), help: "w_max"),
            SettingSpec("ema_decay", .number(0...1), default: .number(0.99), help: "EMA alpha"),
        ])
        default: nil
        }
    }

    func expectedCost(of method: Experiment.Method) -> Double {
        (method.name == "mt" ? 2 : 1) * (method.training.values["epochs"]?.doubleValue ?? 1)
    }
}
