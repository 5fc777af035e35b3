/// A segmentation method of the comparison. It receives one fold's training view (central
/// labelled slices and unlabelled slices), its settings, a seed and a training session
/// (progress, loss log and checkpoints) through a ``MethodContext``, and returns a predictor.
/// Nothing outside the method knows its internals.
public protocol SegmentationMethod {
    /// Trains on `context.view` and returns the predictor (and pseudo-labels, for Ours).
    func train(_ context: MethodContext) throws -> TrainedMethod
}
