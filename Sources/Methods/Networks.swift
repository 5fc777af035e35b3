import Datasets
import SeededRandom
import TrainingCore

extension TrainingSettings {
    /// The optimiser of the settings over `parameters` (Adam, or SGD with momentum).
    public func makeOptimiser(_ parameters: [Parameter]) -> any Optimiser {
        optimiser == .sgd
            ? SGD(parameters: parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
            : Adam(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
    }

    /// The schedule as a phase's learning-rate function over `epochs` of `stepsPerEpoch`.
    public func schedule(stepsPerEpoch: Int, epochs: Int) -> (Int, Int) -> Float {
        { epoch, iteration in self.learningRate(epoch: epoch, iteration: iteration, totalIterations: epochs * stepsPerEpoch) }
    }
}

extension MethodContext {
    /// A U-Net of the settings' configuration, its weights seeded by `name`.
    public func makeUNet(_ name: String) -> UNet {
        UNet(configuration: training.unetConfiguration, seed: networkSeed(name))
    }

    /// The batcher of this view with the settings' batch size and augmentation.
    public func makeBatcher() -> SliceBatcher {
        SliceBatcher(view: view, batchSize: training.batchSize, augment: training.augment, random: random.derived("batches"))
    }
}

/// Predicts with one U-Net, or the mean softmax of several (DCT-Seg), in evaluation mode.
public final class UNetPredictor: SlicePredictor {
    /// The networks whose softmax outputs are averaged.
    public let networks: [UNet]
    /// Slices per forward pass.
    public let batchSize: Int

    public init(networks: [UNet], batchSize: Int = 8) {
        precondition(!networks.isEmpty, "UNetPredictor: no network")
        self.networks = networks
        self.batchSize = batchSize
    }

    public func foregroundProbabilities(_ slices: [[Float]], size: SliceSize) -> [[Float]] {
        for network in networks { network.setTraining(false) }
        defer { for network in networks { network.setTraining(true) } }
        var output: [[Float]] = []
        var start = 0
        while start < slices.count {
            let chunk = Array(slices[start..<min(start + batchSize, slices.count)])
            let input = Tensor(shape: [chunk.count, 1, size.ny, size.nx], scalars: chunk.flatMap { $0 })
            var mean = Tensor(shape: [chunk.count, 2, size.ny, size.nx])
            for network in networks {
                mean = Ops.add(mean, Softmax.forward(network.forward(input)))
            }
            let plane = size.ny * size.nx
            for b in 0..<chunk.count {
                let base = (b * 2 + 1) * plane
                output.append(mean.scalars[base..<(base + plane)].map { $0 / Float(networks.count) })
            }
            start += chunk.count
        }
        return output
    }
}

/// Tensor helpers the methods share.
enum TensorOps {
    /// The argmax class of `logits [B, K, H, W]` as labels `[B*H*W]`.
    static func argmaxLabels(_ logits: Tensor) -> [Int32] { Softmax.argmax(logits) }

    /// MT's input noise: clamp(N(0, 1) * std, -clip, clip) added to every pixel.
    static func addNoise(_ x: Tensor, std: Float, clip: Float, rng: inout SeededGenerator) -> Tensor {
        var y = x
        for i in 0..<y.count { y.scalars[i] += min(max(rng.normal() * std, -clip), clip) }
        return y
    }

    /// Rows `range` of the batch, as a new tensor.
    static func rows(_ x: Tensor, _ range: Range<Int>) -> Tensor { x.batchSlice(range) }

    /// Labels of batch rows `range` of a `[B*H*W]` label array with `plane` pixels per row.
    static func labelRows(_ labels: [Int32], _ range: Range<Int>, plane: Int) -> [Int32] {
        Array(labels[(range.lowerBound * plane)..<(range.upperBound * plane)])
    }
}
