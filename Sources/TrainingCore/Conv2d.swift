import SeededRandom

/// A 2-D convolution, stride 1, "same" zero padding (kernelSize / 2), with bias, computed per
/// slice as im2col + sgemm (a 1x1 convolution needs no im2col).
///
///     forward   x [B, Cin, H, W]  ->  y [B, Cout, H, W]
///               y[b] = weight[Cout, Cin*kh*kw] * columns(x[b])[Cin*kh*kw, H*W] + bias
///     backward  dy [B, Cout, H, W] -> dx [B, Cin, H, W]
///               dweight += dy[b] * columns(x[b])^T,  dbias += sum over H, W of dy[b]
///               dx[b] = col2im(weight^T * dy[b])
public final class Conv2d: Module {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    /// `[Cout, Cin, kh, kw]`.
    public let weight: Parameter
    /// `[Cout]`.
    public let bias: Parameter
    private var records: [Tensor] = []
    /// im2col scratch, shared by the convolutions of one network.
    private let workspace: ConvolutionWorkspace

    /// A convolution initialised as PyTorch's default: weight and bias uniform in
    /// +-1/sqrt(Cin*kh*kw).
    ///
    /// Convolutions that never run concurrently (the layers of one network) may share a
    /// `workspace`, which keeps one im2col buffer instead of one per layer.
    public init(name: String, inputChannels: Int, outputChannels: Int, kernelSize: Int, generator: inout SeededGenerator,
                workspace: ConvolutionWorkspace = ConvolutionWorkspace()) {
        self.workspace = workspace
        precondition(kernelSize % 2 == 1, "Conv2d: odd kernel sizes only (same padding)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        let bound = 1 / Float(inputChannels * kernelSize * kernelSize).squareRoot()
        weight = Parameter(name: name + ".weight", value: .uniform(
            shape: [outputChannels, inputChannels, kernelSize, kernelSize], low: -bound, high: bound, generator: &generator))
        bias = Parameter(name: name + ".bias", value: .uniform(shape: [outputChannels], low: -bound, high: bound, generator: &generator))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Buffer] { [] }
    public var counters: [Counter] { [] }
    public func setTraining(_ training: Bool) {}
    public func clearRecords() { records.removeAll() }

    /// Multiply-adds of one forward pass on `[B, Cin, H, W]`, times 2 (FLOPs).
    public func forwardFLOPs(batch: Int, height: Int, width: Int) -> Double {
        2 * Double(batch * height * width) * Double(outputChannels * inputChannels * kernelSize * kernelSize)
    }

    /// `x [B, Cin, H, W] -> [B, Cout, H, W]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        precondition(x.shape.count == 4 && x.channels == inputChannels, "Conv2d: input \(x.shape), expected [B, \(inputChannels), H, W]")
        let (batch, height, width) = (x.batch, x.height, x.width)
        let plane = height * width, depth = inputChannels * kernelSize * kernelSize
        workspace.reserve(columns: kernelSize > 1 ? depth * plane : 0, gradients: 0)
        // Hot loop over raw buffers: sgemm takes pointers, and the array accessors would
        // otherwise re-check bounds for every element of im2col. Every output element is
        // first set to its bias, so the tensor needs no zero fill.
        let y = Tensor(shape: [batch, outputChannels, height, width]) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    bias.value.scalars.withUnsafeBufferPointer { bs in
                        workspace.columns.withUnsafeMutableBufferPointer { cols in
                            for b in 0..<batch {
                                let input = xs.baseAddress! + b * inputChannels * plane
                                let output = ys.baseAddress! + b * outputChannels * plane
                                for co in 0..<outputChannels {
                                    (output + co * plane).update(repeating: bs[co], count: plane)
                                }
                                var source = input
                                if kernelSize > 1 {
                                    im2col(input, cols.baseAddress!, height: height, width: width)
                                    source = UnsafePointer(cols.baseAddress!)
                                }
                                BLAS.sgemm(m: outputChannels, n: plane, k: depth, a: w.baseAddress!, b: source, beta: 1, c: output)
                            }
                        }
                    }
                }
            }
        }
        if recording { records.append(x) }
        return y
    }

    /// `dy [B, Cout, H, W] -> dx [B, Cin, H, W]`; accumulates the weight and bias gradients.
    public func backward(_ dy: Tensor) -> Tensor {
        backward(dy, inputGradient: true)!
    }

    /// As ``backward(_:)`` but skips the input gradient (the first layer of a network, when
    /// nobody asks for d(loss)/d(image)).
    public func backwardParametersOnly(_ dy: Tensor) {
        _ = backward(dy, inputGradient: false)
    }

    private func backward(_ dy: Tensor, inputGradient: Bool) -> Tensor? {
        guard let x = records.popLast() else { preconditionFailure("Conv2d.backward without a recorded forward") }
        precondition(dy.shape == [x.batch, outputChannels, x.height, x.width], "Conv2d.backward: dy \(dy.shape) for input \(x.shape)")
        let (batch, height, width) = (x.batch, x.height, x.width)
        let plane = height * width, depth = inputChannels * kernelSize * kernelSize
        // col2im (or the 1x1 sgemm with beta 0) writes every element of dx: no zero fill.
        var dx = inputGradient ? Tensor(shape: x.shape) { _ in } : Tensor(shape: [0])
        workspace.reserve(columns: kernelSize > 1 ? depth * plane : 0, gradients: inputGradient && kernelSize > 1 ? depth * plane : 0)
        x.scalars.withUnsafeBufferPointer { xs in
            dy.scalars.withUnsafeBufferPointer { dys in
                dx.scalars.withUnsafeMutableBufferPointer { dxs in
                    weight.value.scalars.withUnsafeBufferPointer { w in
                        weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                            bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                                workspace.columns.withUnsafeMutableBufferPointer { cols in
                                    workspace.gradients.withUnsafeMutableBufferPointer { dcols in
                                        for b in 0..<batch {
                                            let input = xs.baseAddress! + b * inputChannels * plane
                                            let grad = dys.baseAddress! + b * outputChannels * plane
                                            var source = input
                                            if kernelSize > 1 {
                                                im2col(input, cols.baseAddress!, height: height, width: width)
                                                source = UnsafePointer(cols.baseAddress!)
                                            }
                                            BLAS.sgemm(transposeB: true, m: outputChannels, n: depth, k: plane,
                                                       a: grad, b: source, beta: 1, c: dw.baseAddress!)
                                            for co in 0..<outputChannels {
                                                db[co] += sum(grad + co * plane, count: plane)
                                            }
                                            guard inputGradient else { continue }
                                            let dinput = dxs.baseAddress! + b * inputChannels * plane
                                            if kernelSize == 1 {
                                                BLAS.sgemm(transposeA: true, m: depth, n: plane, k: outputChannels,
                                                           a: w.baseAddress!, b: grad, beta: 0, c: dinput)
                                            } else {
                                                BLAS.sgemm(transposeA: true, m: depth, n: plane, k: outputChannels,
                                                           a: w.baseAddress!, b: grad, beta: 0, c: dcols.baseAddress!)
                                                col2im(UnsafePointer(dcols.baseAddress!), dinput, height: height, width: width)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient ? dx : nil
    }

    /// columns[(ci*kh + ky)*kw + kx, y*W + x] = x[ci, y + ky - pad, x + kx - pad], zero outside.
    private func im2col(_ input: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        let pad = kernelSize / 2, plane = height * width
        var row = cols
        for ci in 0..<inputChannels {
            let source = input + ci * plane
            for ky in 0..<kernelSize {
                for kx in 0..<kernelSize {
                    let (oy, ox) = (ky - pad, kx - pad)
                    let x0 = max(0, -ox), x1 = min(width, width - ox)
                    for y in 0..<height {
                        let destination = row + y * width
                        let sy = y + oy
                        if sy < 0 || sy >= height || x1 <= x0 {
                            destination.update(repeating: 0, count: width)
                            continue
                        }
                        if x0 > 0 { destination.update(repeating: 0, count: x0) }
                        (destination + x0).update(from: source + sy * width + x0 + ox, count: x1 - x0)
                        if x1 < width { (destination + x1).update(repeating: 0, count: width - x1) }
                    }
                    row += plane
                }
            }
        }
    }

    /// The adjoint of im2col: dx[ci, y + ky - pad, x + kx - pad] += dcolumns[(ci*kh + ky)*kw + kx, y*W + x].
    private func col2im(_ cols: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        let pad = kernelSize / 2, plane = height * width
        output.update(repeating: 0, count: inputChannels * plane)
        var row = cols
        for ci in 0..<inputChannels {
            let destination = output + ci * plane
            for ky in 0..<kernelSize {
                for kx in 0..<kernelSize {
                    let (oy, ox) = (ky - pad, kx - pad)
                    let x0 = max(0, -ox), x1 = min(width, width - ox)
                    for y in 0..<height {
                        let sy = y + oy
                        guard sy >= 0 && sy < height && x1 > x0 else { continue }
                        let source = row + y * width, target = destination + sy * width + ox
                        for x in x0..<x1 { target[x] += source[x] }
                    }
                    row += plane
                }
            }
        }
    }
}

/// Scratch buffers for im2col (`[Cin*kh*kw, H*W]` of one slice) and its gradient, grown on
/// demand and reused by every convolution that holds it.
public final class ConvolutionWorkspace {
    var columns: [Float] = []
    var gradients: [Float] = []

    public init() {}

    func reserve(columns c: Int, gradients g: Int) {
        if columns.count < c { columns = [Float](repeating: 0, count: c) }
        if gradients.count < g { gradients = [Float](repeating: 0, count: g) }
    }
}

/// The sum of `count` floats, accumulated in eight lanes (vectorisable, and deterministic).
@inline(__always)
func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = acc.sum()
    while i < count {
        total += p[i]
        i += 1
    }
    return total
}
