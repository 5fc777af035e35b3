/// What the modules below contribute to an experiment file: the schemas of the dataset
/// section, of the training settings shared by all methods, and of each registered method.
/// The command line passes the real catalog (from the Methods and Datasets modules); the
/// experiment machinery itself knows no method.
public protocol ExperimentCatalog: Sendable {
    /// The `dataset:` section.
    var datasetSchema: SettingsSchema { get }
    /// The `training:` section, shared by every method and overridable per method.
    var trainingSchema: SettingsSchema { get }
    /// The registered method names, in the order they are listed to users.
    var methodNames: [String] { get }
    /// A method's own settings, or nil for an unknown method.
    func methodSchema(_ method: String) -> SettingsSchema?
    /// A job's expected cost in U-Net epochs (training one U-Net for one epoch = 1), so the
    /// runner can start the longest jobs first.
    func expectedCost(of method: Experiment.Method) -> Double
}
