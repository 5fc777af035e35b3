import SeededRandom

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
