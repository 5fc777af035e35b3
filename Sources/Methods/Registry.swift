import Experiments

/// One registered method: its name, what it is, what labels it may read, its settings and
/// how to make it.
public struct MethodRegistration: Sendable {
    /// The name used in experiment files and run directories ("ua-mt").
    public let name: String
    /// One line for `sparseseg methods`.
    public let summary: String
    /// The labels it may read; only `fs-dense` is registered with ``LabelAccess/allTrainingMasks``.
    public let labelAccess: LabelAccess
    /// Cost relative to training one U-Net for the same epochs (FS-LCS = 1).
    public let relativeCost: Double
    /// The method's own settings with docs/methods.md's defaults.
    public let schema: SettingsSchema
    /// Makes the method.
    public let make: @Sendable () -> any SegmentationMethod

    public init(name: String, summary: String, labelAccess: LabelAccess = .centralSlices, relativeCost: Double,
                schema: SettingsSchema, make: @escaping @Sendable () -> any SegmentationMethod) {
        self.name = name
        self.summary = summary
        self.labelAccess = labelAccess
        self.relativeCost = relativeCost
        self.schema = schema
        self.make = make
    }
}

/// The registered methods and the schemas of an experiment file: the real
/// ``ExperimentCatalog`` of the project.
public struct MethodRegistry: ExperimentCatalog {
    /// The registrations, in the order methods are listed.
    public let registrations: [MethodRegistration]

    /// A registry of the given methods (tests add their own example method this way).
    public init(registrations: [MethodRegistration]) {
        precondition(Set(registrations.map(\.name)).count == registrations.count, "a method is registered twice")
        self.registrations = registrations
    }

    /// The methods of Table 1, the ablations of MT and of Ours, and the `fs-dense` reference.
    /// To add a method: one file with its type and registration, one line here
    /// (docs/adding-a-method.md).
    public static let standard = MethodRegistry(registrations: [
        FSLCS.registration,
        MeanTeacher.registration,
        MeanTeacher.separateBatchNormRegistration,
        MeanTeacher.noConsistencyRegistration,
        ICT.registration,
        DCTSeg.registration,
        UAMT.registration,
        Ours.registration(variant: .intersection),
        Ours.registration(variant: .semiOnly),
        Ours.registration(variant: .sslOnly),
        Ours.registration(variant: .union),
        FSDense.registration,
    ])

    /// The registration of `name`, if any.
    public func registration(_ name: String) -> MethodRegistration? {
        registrations.first { $0.name == name }
    }

    public var datasetSchema: SettingsSchema { DatasetSettings.schema }
    public var trainingSchema: SettingsSchema { TrainingSettings.schema }
    public var methodNames: [String] { registrations.map(\.name) }
    public func methodSchema(_ method: String) -> SettingsSchema? { registration(method)?.schema }
    public func expectedCost(of method: Experiment.Method) -> Double {
        (registration(method.name)?.relativeCost ?? 1) * Double(method.training[TrainingSettings.epochs])
    }
}
