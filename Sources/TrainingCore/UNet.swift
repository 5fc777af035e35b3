import SeededRandom

/// The widths and dropout of the U-Net of docs/methods.md (SSL4MIS's UNet). The defaults are
/// docs/methods.md's; tests and quick experiments use narrower nets.
public struct UNetConfiguration: Sendable, Equatable {
    /// Image channels (1 for MR slices).
    public var inputChannels = 1
    /// Output classes K (2: background, prostate).
    public var classes = 2
    /// Channels of the five levels, full resolution first.
    public var widths = [16, 32, 64, 128, 256]
    /// Dropout probability of each encoder level (the decoder has none).
    public var encoderDropout: [Float] = [0.05, 0.1, 0.2, 0.3, 0.5]
    /// Negative slope of the LeakyReLUs.
    public var negativeSlope: Float = 0.01

    /// A configuration; the defaults are docs/methods.md's.
    public init(inputChannels: Int = 1, classes: Int = 2, widths: [Int] = [16, 32, 64, 128, 256],
                encoderDropout: [Float] = [0.05, 0.1, 0.2, 0.3, 0.5], negativeSlope: Float = 0.01) {
        precondition(widths.count == encoderDropout.count && widths.count >= 2, "UNetConfiguration: one dropout per level, two levels at least")
        self.inputChannels = inputChannels
        self.classes = classes
        self.widths = widths
        self.encoderDropout = encoderDropout
        self.negativeSlope = negativeSlope
    }
}

/// Conv3x3 -> BatchNorm -> LeakyReLU -> Dropout(p) -> Conv3x3 -> BatchNorm -> LeakyReLU
/// (each LeakyReLU fused into its BatchNorm).
///
///     forward   [B, Cin, H, W] -> [B, Cout, H, W]
///               (or parts [B, C_i, H, W] of the input along the channels, sum C_i = Cin)
///     backward  [B, Cout, H, W] -> [B, Cin, H, W] (or one gradient per part, or nothing, see `inputGradient`)
public final class ConvBlock: Module {
    let conv1: Conv2d, bn1: BatchNorm2d, dropout: Dropout
    let conv2: Conv2d, bn2: BatchNorm2d

    /// A block named `name` (its layers are `name.conv1`, `name.bn1`, ...).
    public init(name: String, inputChannels: Int, outputChannels: Int, dropout p: Float, negativeSlope: Float,
                generator: inout SeededGenerator, dropoutGenerator: SeededGenerator, workspace: ConvolutionWorkspace) {
        conv1 = Conv2d(name: name + ".conv1", inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, generator: &generator, workspace: workspace)
        bn1 = BatchNorm2d(name: name + ".bn1", channels: outputChannels, activationSlope: negativeSlope)
        dropout = Dropout(name: name + ".dropout", probability: p, generator: dropoutGenerator)
        conv2 = Conv2d(name: name + ".conv2", inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, generator: &generator, workspace: workspace)
        bn2 = BatchNorm2d(name: name + ".bn2", channels: outputChannels, activationSlope: negativeSlope)
    }

    private var layers: [any Module] { [conv1, bn1, dropout, conv2, bn2] }
    public var parameters: [Parameter] { collect(layers).parameters }
    public var buffers: [Buffer] { collect(layers).buffers }
    public var counters: [Counter] { collect(layers).counters }
    public func setTraining(_ training: Bool) { for layer in layers { layer.setTraining(training) } }
    public func clearRecords() { for layer in layers { layer.clearRecords() } }

    /// `[B, Cin, H, W] -> [B, Cout, H, W]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        forward(concatenating: [x], recording: recording)
    }

    /// The block on the channel concatenation of `parts`, without building it (see
    /// ``Conv2d/forward(concatenating:recording:)``).
    public func forward(concatenating parts: [Tensor], recording: Bool = false) -> Tensor {
        var h = bn1.forward(conv1.forward(concatenating: parts, recording: recording), recording: recording)
        h = conv2.forward(dropout.forward(h, recording: recording), recording: recording)
        return bn2.forward(h, recording: recording)
    }

    /// Returns d(loss)/d(input) when `inputGradient`, else nil (and skips computing it).
    public func backward(_ dy: Tensor, inputGradient: Bool = true) -> Tensor? {
        let d = backwardToFirstConvolution(dy)
        if inputGradient { return conv1.backward(d) }
        conv1.backwardParametersOnly(d)
        return nil
    }

    /// The backward of ``forward(concatenating:recording:)``: the gradient of each input part.
    public func backward(parts dy: Tensor) -> [Tensor] {
        conv1.backward(parts: backwardToFirstConvolution(dy))
    }

    /// `dy` back through every layer but conv1: the gradient of conv1's output.
    private func backwardToFirstConvolution(_ dy: Tensor) -> Tensor {
        bn1.backward(dropout.backward(conv2.backward(bn2.backward(dy))))
    }

    func forwardFLOPs(batch: Int, height: Int, width: Int) -> Double {
        conv1.forwardFLOPs(batch: batch, height: height, width: width) + conv2.forwardFLOPs(batch: batch, height: height, width: width)
    }
}

/// The U-Net of docs/methods.md (SSL4MIS): an input block and four (MaxPool2 -> block) levels down;
/// four up blocks (Conv1x1 -> bilinear x2 (align_corners) -> concat [skip, up] -> block); a
/// Conv3x3 head to K classes.
///
///     forward   x [B, Cin, H, W] -> logits [B, K, H, W]   (H, W multiples of 16)
///     backward  dlogits [B, K, H, W] -> dx [B, Cin, H, W] (optional); accumulates parameter gradients
///
/// Typical training step:
///
///     net.setTraining(true)
///     let logits = net.forward(images, recording: true)
///     let p = Softmax.forward(logits)
///     let dice = Losses.dice(probabilities: p, labels: labels)
///     let ce = Losses.crossEntropy(logits: logits, labels: labels)
///     let dlogits = Ops.add(Softmax.backward(dice.gradient, probabilities: p), ce.gradient)
///     net.zeroGradients()
///     net.backward(dlogits)
///     optimiser.step()
public final class UNet: Module {
    /// The widths and dropout this network was built with.
    public let configuration: UNetConfiguration
    let encoder: [ConvBlock]
    let pools: [MaxPool2d]
    let upConvs: [Conv2d]
    let decoder: [ConvBlock]
    let head: Conv2d
    /// Training (batch statistics, dropout) or evaluation mode; see ``setTraining(_:)``.
    public private(set) var isTraining = true

    /// A U-Net whose initial weights (PyTorch's default initialisation) come from `seed`, and
    /// whose dropout masks come from streams derived from it.
    public init(configuration: UNetConfiguration = UNetConfiguration(), seed: UInt64) {
        self.configuration = configuration
        let root = SeededGenerator(seed: seed)
        var generator = root.derived("init")
        let workspace = ConvolutionWorkspace()
        let widths = configuration.widths
        var encoder: [ConvBlock] = []
        for (level, width) in widths.enumerated() {
            encoder.append(ConvBlock(
                name: "encoder.\(level)", inputChannels: level == 0 ? configuration.inputChannels : widths[level - 1], outputChannels: width,
                dropout: configuration.encoderDropout[level], negativeSlope: configuration.negativeSlope,
                generator: &generator, dropoutGenerator: root.derived("dropout", level), workspace: workspace))
        }
        var upConvs: [Conv2d] = [], decoder: [ConvBlock] = []
        for level in stride(from: widths.count - 2, through: 0, by: -1) {
            upConvs.append(Conv2d(name: "decoder.\(level).conv1x1", inputChannels: widths[level + 1], outputChannels: widths[level],
                                  kernelSize: 1, generator: &generator, workspace: workspace))
            decoder.append(ConvBlock(
                name: "decoder.\(level).block", inputChannels: 2 * widths[level], outputChannels: widths[level], dropout: 0,
                negativeSlope: configuration.negativeSlope, generator: &generator, dropoutGenerator: root.derived("decoder-dropout", level),
                workspace: workspace))
        }
        self.encoder = encoder
        self.pools = (1..<widths.count).map { _ in MaxPool2d() }
        self.upConvs = upConvs
        self.decoder = decoder
        head = Conv2d(name: "head", inputChannels: widths[0], outputChannels: configuration.classes, kernelSize: 3, generator: &generator, workspace: workspace)
    }

    /// Every sub-layer, in the stable order of parameters, buffers and counters.
    private var layers: [any Module] {
        var all: [any Module] = encoder
        for (up, block) in zip(upConvs, decoder) { all += [up, block] }
        return all + [head]
    }
    public var parameters: [Parameter] { collect(layers).parameters }
    public var buffers: [Buffer] { collect(layers).buffers }
    public var counters: [Counter] { collect(layers).counters }
    public func setTraining(_ training: Bool) {
        isTraining = training
        for layer in layers { layer.setTraining(training) }
        for pool in pools { pool.setTraining(training) }
    }
    public func clearRecords() {
        for layer in layers { layer.clearRecords() }
        for pool in pools { pool.clearRecords() }
    }

    /// `x [B, Cin, H, W] -> logits [B, K, H, W]`. With `recording`, keeps what ``backward(_:inputGradient:)`` needs.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        let factor = 1 << (encoder.count - 1)
        precondition(x.shape.count == 4 && x.channels == configuration.inputChannels && x.height % factor == 0 && x.width % factor == 0,
                     "UNet: input \(x.shape), expected [B, \(configuration.inputChannels), H, W] with H and W multiples of \(factor)")
        var skips: [Tensor] = []
        var h = x
        for (level, block) in encoder.enumerated() {
            if level > 0 { h = pools[level - 1].forward(h, recording: recording) }
            h = block.forward(h, recording: recording)
            skips.append(h)
        }
        skips.removeLast()
        for (up, block) in zip(upConvs, decoder) {
            let upsampled = Upsample.bilinear(up.forward(h, recording: recording))
            h = block.forward(concatenating: [skips.removeLast(), upsampled], recording: recording)
        }
        return head.forward(h, recording: recording)
    }

    /// `dlogits [B, K, H, W] -> dx [B, Cin, H, W]` (nil unless `inputGradient`); accumulates
    /// the gradients of every parameter. Consumes the most recent recorded forward.
    ///
    /// For the gradient of a loss with respect to the image alone (DCT-Seg's adversarial
    /// views): `setTraining(false)`, `forward(x, recording: true)`, the loss's gradient through
    /// `backward(_:inputGradient: true)`, then `zeroGradients()` before the real step.
    @discardableResult
    public func backward(_ dlogits: Tensor, inputGradient: Bool = false) -> Tensor? {
        var d = head.backward(dlogits)
        var skipGradients: [Tensor] = []
        for (up, block) in zip(upConvs, decoder).reversed() {
            let parts = block.backward(parts: d)
            skipGradients.append(parts[0])
            d = up.backward(Upsample.bilinearBackward(parts[1]))
        }
        for level in stride(from: encoder.count - 1, through: 0, by: -1) {
            if level < encoder.count - 1 { d = Ops.add(d, skipGradients.removeLast()) }
            if level == 0 { return encoder[0].backward(d, inputGradient: inputGradient) }
            d = pools[level - 1].backward(encoder[level].backward(d)!)
        }
        return nil
    }

    /// FLOPs of the convolutions of one forward pass on `[B, Cin, H, W]`.
    public func forwardFLOPs(batch: Int, height: Int, width: Int) -> Double {
        var total = 0.0
        for (level, block) in encoder.enumerated() {
            total += block.forwardFLOPs(batch: batch, height: height >> level, width: width >> level)
        }
        for (index, (up, block)) in zip(upConvs, decoder).enumerated() {
            let level = encoder.count - 2 - index
            total += up.forwardFLOPs(batch: batch, height: height >> (level + 1), width: width >> (level + 1))
            total += block.forwardFLOPs(batch: batch, height: height >> level, width: width >> level)
        }
        return total + head.forwardFLOPs(batch: batch, height: height, width: width)
    }
}

extension UNet {
    /// The supervised loss of docs/methods.md, Dice + gamma * CE, on `logits [B, K, H, W]` against
    /// `labels [B*H*W]`: its value and the gradient with respect to the logits.
    public static func diceCrossEntropy(logits: Tensor, labels: [Int32], gamma: Float = 1) -> LossGradient {
        // One log-softmax serves both terms (exp and log are most of the loss's time).
        let logp = Softmax.logSoftmax(logits)
        let p = Softmax.exponential(logp)
        let dice = Losses.dice(probabilities: p, labels: labels)
        let ce = Losses.crossEntropy(logProbabilities: logp, probabilities: p, labels: labels)
        let gradient = Ops.add(Softmax.backward(dice.gradient, probabilities: p), Ops.scale(ce.gradient, by: gamma))
        return LossGradient(value: dice.value + gamma * ce.value, gradient: gradient)
    }

    /// Class probabilities `[B, K, H, W]` of `images [B, Cin, H, W]` in the current mode,
    /// without recording (call ``setTraining(_:)`` with false first for inference).
    public func predict(_ images: Tensor) -> Tensor {
        Softmax.forward(forward(images))
    }

    /// One supervised training step in training mode: forward, Dice + gamma * CE, backward
    /// (gradients zeroed first), optimiser step. Returns the loss before the step.
    @discardableResult
    public func trainStep(images: Tensor, labels: [Int32], optimiser: any Optimiser, gamma: Float = 1) -> Float {
        setTraining(true)
        let logits = forward(images, recording: true)
        let loss = UNet.diceCrossEntropy(logits: logits, labels: labels, gamma: gamma)
        zeroGradients()
        backward(loss.gradient)
        optimiser.step()
        return loss.value
    }
}
