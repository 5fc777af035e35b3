import SeededRandom

/// The registration network of docs/methods.md: (moving, fixed) -> a displacement field.
///
///     forward   pair [B, 2, H, W] (channel 0 moving, 1 fixed) -> flow [B, 2, H, W] (H, W multiples of 16)
///               encoder: per level Conv3x3 + LeakyReLU(0.2), kept as skip, MaxPool2;
///               decoder: per level Conv3x3 + LeakyReLU, nearest x2, concat [up, skip];
///               extra Conv3x3 + LeakyReLU layers; flow head Conv3x3 -> 2 (weights N(0, 1e-5^2)).
///     backward  dflow -> d(pair); accumulates parameter gradients
///
/// Typical training step (sim = MSE, lambda = 0.01):
///
///     let flow = net.forward(moving: m, fixed: f, recording: true)
///     let warped = Warp.bilinear(m, flow: flow)
///     let sim = Losses.meanSquaredError(warped, f), smooth = Losses.flowSmoothness(flow)
///     let dflow = Ops.add(Warp.bilinearBackward(sim.gradient, image: m, flow: flow).flow,
///                         Ops.scale(smooth.gradient, by: 0.01))
///     net.zeroGradients(); net.backward(dflow); optimiser.step()
public final class RegistrationNet: Module {
    /// The widths this network was built with.
    public let configuration: RegistrationConfiguration
    let encoder: [ConvActivation]
    let pools: [MaxPool2d]
    let decoder: [ConvActivation]
    let extra: [ConvActivation]
    let flowHead: Conv2d

    /// A registration network whose initial weights come from `seed`.
    public init(configuration: RegistrationConfiguration = RegistrationConfiguration(), seed: UInt64) {
        self.configuration = configuration
        var generator = SeededGenerator(seed: seed).derived("init")
        let slope = configuration.negativeSlope
        let workspace = ConvolutionWorkspace()
        var channels = 2
        var skipChannels: [Int] = []
        var encoder: [ConvActivation] = []
        for (level, width) in configuration.encoder.enumerated() {
            encoder.append(ConvActivation(name: "encoder.\(level)", inputChannels: channels, outputChannels: width, slope: slope, generator: &generator,
                                         workspace: workspace))
            channels = width
            skipChannels.append(width)
        }
        var decoder: [ConvActivation] = []
        for (level, width) in configuration.decoder.enumerated() {
            decoder.append(ConvActivation(name: "decoder.\(level)", inputChannels: channels, outputChannels: width, slope: slope, generator: &generator,
                                         workspace: workspace))
            channels = width + skipChannels.removeLast()
        }
        var extra: [ConvActivation] = []
        for (index, width) in configuration.extra.enumerated() {
            extra.append(ConvActivation(name: "extra.\(index)", inputChannels: channels, outputChannels: width, slope: slope, generator: &generator,
                                         workspace: workspace))
            channels = width
        }
        let head = Conv2d(name: "flow", inputChannels: channels, outputChannels: 2, kernelSize: 3, generator: &generator, workspace: workspace)
        head.weight.value = .normal(shape: head.weight.value.shape, std: configuration.flowInitStd, generator: &generator)
        head.bias.value = Tensor(shape: [2])
        self.encoder = encoder
        self.pools = encoder.map { _ in MaxPool2d() }
        self.decoder = decoder
        self.extra = extra
        self.flowHead = head
    }

    private var layers: [any Module] { encoder + decoder + extra + [flowHead] }
    public var parameters: [Parameter] { collect(layers).parameters }
    public var buffers: [Buffer] { [] }
    public var counters: [Counter] { [] }
    public func setTraining(_ training: Bool) {}
    public func clearRecords() {
        for layer in layers { layer.clearRecords() }
        for pool in pools { pool.clearRecords() }
    }

    /// `moving, fixed [B, 1, H, W] -> flow [B, 2, H, W]`, the field that warps moving onto fixed.
    public func forward(moving: Tensor, fixed: Tensor, recording: Bool = false) -> Tensor {
        forward(Ops.concatChannels([moving, fixed]), recording: recording)
    }

    /// `pair [B, 2, H, W] -> flow [B, 2, H, W]`.
    public func forward(_ pair: Tensor, recording: Bool = false) -> Tensor {
        let factor = 1 << encoder.count
        precondition(pair.shape.count == 4 && pair.channels == 2 && pair.height % factor == 0 && pair.width % factor == 0,
                     "RegistrationNet: input \(pair.shape), expected [B, 2, H, W] with H and W multiples of \(factor)")
        var skips: [Tensor] = []
        var h = pair
        for (layer, pool) in zip(encoder, pools) {
            h = layer.forward(h, recording: recording)
            skips.append(h)
            h = pool.forward(h, recording: recording)
        }
        // From here each layer's input is a list of channel parts: [up, skip] after a decoder
        // level, which the next convolution reads without building the concatenation.
        var parts = [h]
        for layer in decoder {
            parts = [Upsample.nearest(layer.forward(concatenating: parts, recording: recording)), skips.removeLast()]
        }
        for layer in extra { parts = [layer.forward(concatenating: parts, recording: recording)] }
        return flowHead.forward(concatenating: parts, recording: recording)
    }

    /// `dflow [B, 2, H, W] -> d(pair) [B, 2, H, W]`; accumulates parameter gradients.
    @discardableResult
    public func backward(_ dflow: Tensor) -> Tensor {
        // The gradients of the current layer's input parts ([up, skip] after a decoder level).
        var parts = flowHead.backward(parts: dflow)
        for layer in extra.reversed() { parts = layer.backward(parts: parts[0]) }
        var skipGradients: [Tensor] = []
        for layer in decoder.reversed() {
            skipGradients.append(parts[1])
            parts = layer.backward(parts: Upsample.nearestBackward(parts[0]))
        }
        var d = parts[0]
        for (layer, pool) in zip(encoder, pools).reversed() {
            d = layer.backward(Ops.add(pool.backward(d), skipGradients.removeLast()))
        }
        return d
    }

    /// FLOPs of the convolutions of one forward pass on `[B, 2, H, W]`.
    public func forwardFLOPs(batch: Int, height: Int, width: Int) -> Double {
        var total = 0.0
        for (level, layer) in encoder.enumerated() {
            total += layer.conv.forwardFLOPs(batch: batch, height: height >> level, width: width >> level)
        }
        for (index, layer) in decoder.enumerated() {
            let level = encoder.count - index
            total += layer.conv.forwardFLOPs(batch: batch, height: height >> level, width: width >> level)
        }
        for layer in extra { total += layer.conv.forwardFLOPs(batch: batch, height: height, width: width) }
        return total + flowHead.forwardFLOPs(batch: batch, height: height, width: width)
    }
}
