import SeededRandom

/// Conv3x3 followed by a LeakyReLU: the unit of the registration network.
final class ConvActivation: Module {
    let conv: Conv2d
    let activation: LeakyReLU

    init(name: String, inputChannels: Int, outputChannels: Int, slope: Float, generator: inout SeededGenerator, workspace: ConvolutionWorkspace) {
        conv = Conv2d(name: name, inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, generator: &generator, workspace: workspace)
        activation = LeakyReLU(slope: slope)
    }

    var parameters: [Parameter] { conv.parameters }
    var buffers: [Buffer] { [] }
    var counters: [Counter] { [] }
    func setTraining(_ training: Bool) {}
    func clearRecords() {
        conv.clearRecords()
        activation.clearRecords()
    }

    func forward(_ x: Tensor, recording: Bool) -> Tensor {
        forward(concatenating: [x], recording: recording)
    }

    /// On the channel concatenation of `parts`, without building it.
    func forward(concatenating parts: [Tensor], recording: Bool) -> Tensor {
        activation.forward(conv.forward(concatenating: parts, recording: recording), recording: recording)
    }

    func backward(_ dy: Tensor) -> Tensor {
        conv.backward(activation.backward(dy))
    }

    /// The gradient of each input part of ``forward(concatenating:recording:)``.
    func backward(parts dy: Tensor) -> [Tensor] {
        conv.backward(parts: activation.backward(dy))
    }
}
