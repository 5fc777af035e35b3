/// What a method may read of a fold's training labels.
public enum LabelAccess: String, Sendable, Codable {
    /// The manual mask of the central slice of each training volume (the paper's setting).
    case centralSlices = "central-slices"
    /// Every training mask: the upper-bound reference `fs-dense` only. It is granted by the
    /// method's registration and printed by `sparseseg methods` and in the report.
    case allTrainingMasks = "all-training-masks"
}
