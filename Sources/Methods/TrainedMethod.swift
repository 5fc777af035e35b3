/// A trained method: the predictor of 2D slices, and the pseudo-label sets it built (Ours).
public struct TrainedMethod {
    /// Foreground probabilities of test slices.
    public let predictor: any SlicePredictor
    /// Ours' y_SEMI, y_SSL and y_final on the training slices, for the evaluation-only
    /// diagnostics of the job; nil for methods without pseudo-labels.
    public let pseudoLabels: PseudoLabelSets?

    public init(predictor: any SlicePredictor, pseudoLabels: PseudoLabelSets? = nil) {
        self.predictor = predictor
        self.pseudoLabels = pseudoLabels
    }
}
