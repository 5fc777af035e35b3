import Datasets

/// Predicts 2D slices.
public protocol SlicePredictor {
    /// The foreground probability of every pixel of each slice (row-major [ny, nx]).
    func foregroundProbabilities(_ slices: [[Float]], size: SliceSize) -> [[Float]]
}
