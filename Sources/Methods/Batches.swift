import Foundation
import Datasets
import SeededRandom
import TrainingCore

/// A batch of slices as network input: images `[N, 1, S, S]` and, when labelled, the labels
/// `[N*S*S]` (class indices).
public struct SliceBatch {
    public var images: Tensor
    public var labels: [Int32]
}

/// The batches of docs/methods.md: B labelled slices (the central slices, cycled in fresh random
/// orders) and B unlabelled slices (a random order per epoch), each augmented as SSL4MIS
/// does when augmentation is on. Every order and every transform is drawn from streams
/// derived from the job's seed and the step, so a resumed job draws the same batches.
public struct SliceBatcher {
    public let size: SliceSize
    public let batchSize: Int
    public let augment: Bool
    private let labelled: [(image: [Float], mask: [UInt8])]
    private let unlabelledImages: [[Float]]
    private let random: SeededGenerator

    /// Batches of `view`'s slices.
    public init(view: TrainingView, batchSize: Int, augment: Bool, random: SeededGenerator) {
        precondition(!view.cases.isEmpty, "SliceBatcher: a training view without cases")
        size = view.cases[0].sliceSize
        self.batchSize = batchSize
        self.augment = augment
        labelled = view.labelledSlices
        unlabelledImages = view.unlabelledSlices.map { view.cases[$0.caseIndex].images[$0.slice] }
        self.random = random
    }

    /// Batches of arbitrary labelled pairs (fs-dense's full masks, Ours' pseudo-labels).
    public init(pairs: [(image: [Float], mask: [UInt8])], size: SliceSize, batchSize: Int, augment: Bool, random: SeededGenerator) {
        self.size = size
        self.batchSize = batchSize
        self.augment = augment
        labelled = pairs
        unlabelledImages = []
        self.random = random
    }

    /// Steps per epoch: the setting, or one pass over the unlabelled slices (over the
    /// labelled pairs for a batcher of pairs).
    public func stepsPerEpoch(_ setting: Int) -> Int {
        if setting > 0 { return setting }
        let pool = unlabelledImages.isEmpty ? labelled.count : unlabelledImages.count
        return max(1, (pool + batchSize - 1) / batchSize)
    }

    /// Index `n` of an endless sequence of random permutations of `0..<count` (the
    /// permutation of cycle c drawn from `label`, c).
    private func cycled(_ n: Int, count: Int, label: String) -> Int {
        var generator = random.derived(label, n / count)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        return order[n % count]
    }

    /// The labelled half of step `iteration`: labelled slices `iteration*B ..< (iteration+1)*B`
    /// of the cycled sequence, augmented with `rng`.
    public func labelledBatch(iteration: Int, rng: inout SeededGenerator) -> SliceBatch {
        var images: [[Float]] = [], masks: [[UInt8]] = []
        for j in 0..<batchSize {
            let item = labelled[cycled(iteration * batchSize + j, count: labelled.count, label: "labelled-order")]
            if augment {
                let pair = Datasets.augment(image: item.image, mask: item.mask, size: size, using: &rng)
                images.append(pair.image)
                masks.append(pair.mask)
            } else {
                images.append(item.image)
                masks.append(item.mask)
            }
        }
        return SliceBatch(images: stack(images), labels: masks.flatMap { $0.map(Int32.init) })
    }

    /// The unlabelled half of step `step` of `epoch` (one random order per epoch), augmented.
    public func unlabelledBatch(epoch: Int, step: Int, rng: inout SeededGenerator) -> Tensor {
        precondition(!unlabelledImages.isEmpty, "SliceBatcher: no unlabelled slices")
        var generator = random.derived("unlabelled-order", epoch)
        var order = Array(unlabelledImages.indices)
        order.shuffle(using: &generator)
        var images: [[Float]] = []
        for j in 0..<batchSize {
            let image = unlabelledImages[order[(step * batchSize + j) % order.count]]
            images.append(augment ? AugmentationTransform.random(using: &rng).apply(toImage: image, size: size) : image)
        }
        return stack(images)
    }

    /// Stacks equally sized slices into `[N, 1, S, S]`.
    public func stack(_ slices: [[Float]]) -> Tensor {
        Tensor(shape: [slices.count, 1, size.ny, size.nx], scalars: slices.flatMap { $0 })
    }
}

/// The ramps and schedules of docs/methods.md.
public enum Ramps {
    /// SSL4MIS's consistency weight: w_max * exp(-5 (1 - t/T)^2) for t < T, then w_max, with t
    /// = floor(iteration / unit) (SSL4MIS: unit 150 iterations, T = 200 units, w_max 0.1).
    public static func consistencyWeight(iteration: Int, maximum: Double, length: Double, unitIterations: Int) -> Double {
        maximum * Schedule.sigmoidRampUp(Double(iteration / max(unitIterations, 1)), length: length)
    }

    /// DCT-Seg's weight at `epoch`: l_max * exp(-5 (1 - e/length)^2), 1 * l_max from `length`
    /// on, and exactly 0 at epoch 0 (Peng et al.'s code starts the unsupervised terms after
    /// the first epoch).
    public static func coTrainingWeight(epoch: Int, maximum: Double, length: Double) -> Double {
        epoch == 0 ? 0 : maximum * Schedule.sigmoidRampUp(Double(epoch), length: length)
    }

    /// UA-MT's uncertainty threshold: (0.75 + 0.25 * sigmoid_ramp(iteration, total)) * ln 2.
    public static func uncertaintyThreshold(iteration: Int, totalIterations: Int, start: Double = 0.75) -> Double {
        (start + (1 - start) * Schedule.sigmoidRampUp(Double(iteration), length: Double(totalIterations))) * log(2)
    }
}
