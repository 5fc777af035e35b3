import Datasets

extension ValidationSet {
    /// The mean over the held-out cases of the 2D Dice between `predictor`'s mask (foreground
    /// probability > 0.5) and the manual mask of the case's central slice; a case whose two
    /// masks are both empty counts 1. NaN for an empty set.
    func meanDice(_ predictor: any SlicePredictor) -> Double {
        guard !slices.isEmpty else { return .nan }
        let probabilities = predictor.foregroundProbabilities(slices.map(\.image), size: sliceSize)
        let scores = zip(slices, probabilities).map { item, p in
            var both = 0, total = 0
            for (truth, probability) in zip(item.label.mask, p) {
                let (a, b) = (truth != 0, probability > 0.5)
                if a && b { both += 1 }
                total += (a ? 1 : 0) + (b ? 1 : 0)
            }
            return total == 0 ? 1 : 2 * Double(both) / Double(total)
        }
        return scores.reduce(0, +) / Double(scores.count)
    }
}
