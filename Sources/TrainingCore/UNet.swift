import SeededRandom

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
