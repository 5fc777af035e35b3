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

    /// Rows of output computed per im2col chunk: the chunk's columns (`Cin*kh*kw` x rows*W
    /// floats) stay near 1 MiB, so im2col writes them and sgemm packs them from cache rather
    /// than from memory. A 1x1 convolution needs no columns and runs on whole planes.
    private func rowsPerChunk(height: Int, width: Int) -> Int {
        guard kernelSize > 1 else { return height }
        let depth = inputChannels * kernelSize * kernelSize
        return max(1, min(height, workspace.chunkFloats / (depth * width)))
    }

    /// `x [B, Cin, H, W] -> [B, Cout, H, W]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        precondition(x.shape.count == 4 && x.channels == inputChannels, "Conv2d: input \(x.shape), expected [B, \(inputChannels), H, W]")
        let (batch, height, width) = (x.batch, x.height, x.width)
        let plane = height * width, depth = inputChannels * kernelSize * kernelSize
        let chunk = rowsPerChunk(height: height, width: width)
        workspace.reserve(columns: kernelSize > 1 ? depth * chunk * width : 0, gradients: 0)
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
                                for y0 in stride(from: 0, to: height, by: chunk) {
                                    let n = min(chunk, height - y0) * width
                                    var source = input + y0 * width, ldb = plane
                                    if kernelSize > 1 {
                                        im2col(input, cols.baseAddress!, height: height, width: width, rows: y0..<y0 + n / width)
                                        (source, ldb) = (UnsafePointer(cols.baseAddress!), n)
                                    }
                                    BLAS.sgemm(m: outputChannels, n: n, k: depth, a: w.baseAddress!, b: source, ldb: ldb,
                                               beta: 1, c: output + y0 * width, ldc: plane)
                                }
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
        let chunk = rowsPerChunk(height: height, width: width)
        let columnCount = kernelSize > 1 ? depth * chunk * width : 0
        workspace.reserve(columns: columnCount, gradients: inputGradient ? columnCount : 0)
        // col2im accumulates into a zeroed dx; the 1x1 sgemm with beta 0 writes all of it.
        var dx = inputGradient ? Tensor(shape: x.shape, repeating: 0) : Tensor(shape: [0])
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
                                            for co in 0..<outputChannels {
                                                db[co] += sum(grad + co * plane, count: plane)
                                            }
                                            for y0 in stride(from: 0, to: height, by: chunk) {
                                                let n = min(chunk, height - y0) * width
                                                let rows = y0..<y0 + n / width
                                                var source = input + y0 * width, ldb = plane
                                                if kernelSize > 1 {
                                                    im2col(input, cols.baseAddress!, height: height, width: width, rows: rows)
                                                    (source, ldb) = (UnsafePointer(cols.baseAddress!), n)
                                                }
                                                // dweight[Cout, depth] += dy[:, chunk] * columns^T
                                                BLAS.sgemm(transposeB: true, m: outputChannels, n: depth, k: n,
                                                           a: grad + y0 * width, lda: plane, b: source, ldb: ldb, beta: 1, c: dw.baseAddress!)
                                                guard inputGradient else { continue }
                                                let dinput = dxs.baseAddress! + b * inputChannels * plane
                                                if kernelSize == 1 {
                                                    BLAS.sgemm(transposeA: true, m: depth, n: n, k: outputChannels, a: w.baseAddress!,
                                                               b: grad + y0 * width, ldb: plane, beta: 0, c: dinput + y0 * width, ldc: plane)
                                                } else {
                                                    BLAS.sgemm(transposeA: true, m: depth, n: n, k: outputChannels, a: w.baseAddress!,
                                                               b: grad + y0 * width, ldb: plane, beta: 0, c: dcols.baseAddress!)
                                                    col2im(UnsafePointer(dcols.baseAddress!), dinput, height: height, width: width, rows: rows)
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
        }
        return inputGradient ? dx : nil
    }

    /// For output rows `rows`: columns[(ci*kh + ky)*kw + kx, (y - rows.lowerBound)*W + x] =
    /// x[ci, y + ky - pad, x + kx - pad], zero outside the image.
    private func im2col(_ input: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, height: Int, width: Int, rows: Range<Int>) {
        let pad = kernelSize / 2, plane = height * width, n = rows.count * width
        var row = cols
        for ci in 0..<inputChannels {
            let source = input + ci * plane
            for ky in 0..<kernelSize {
                for kx in 0..<kernelSize {
                    let (oy, ox) = (ky - pad, kx - pad)
                    let x0 = max(0, -ox), x1 = min(width, width - ox)
                    for y in rows {
                        let destination = row + (y - rows.lowerBound) * width
                        let sy = y + oy
                        if sy < 0 || sy >= height || x1 <= x0 {
                            destination.update(repeating: 0, count: width)
                            continue
                        }
                        if x0 > 0 { destination.update(repeating: 0, count: x0) }
                        (destination + x0).update(from: source + sy * width + x0 + ox, count: x1 - x0)
                        if x1 < width { (destination + x1).update(repeating: 0, count: width - x1) }
                    }
                    row += n
                }
            }
        }
    }

    /// The adjoint of im2col over output rows `rows`:
    /// dx[ci, y + ky - pad, x + kx - pad] += dcolumns[(ci*kh + ky)*kw + kx, (y - rows.lowerBound)*W + x].
    private func col2im(_ cols: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, height: Int, width: Int, rows: Range<Int>) {
        let pad = kernelSize / 2, plane = height * width, n = rows.count * width
        var row = cols
        for ci in 0..<inputChannels {
            let destination = output + ci * plane
            for ky in 0..<kernelSize {
                for kx in 0..<kernelSize {
                    let (oy, ox) = (ky - pad, kx - pad)
                    let x0 = max(0, -ox), x1 = min(width, width - ox)
                    for y in rows {
                        let sy = y + oy
                        guard sy >= 0 && sy < height && x1 > x0 else { continue }
                        let source = row + (y - rows.lowerBound) * width, target = destination + sy * width + ox
                        for x in x0..<x1 { target[x] += source[x] }
                    }
                    row += n
                }
            }
        }
    }
}

/// Scratch buffers for im2col (`[Cin*kh*kw, H*W]` of one slice) and its gradient, grown on
/// demand and reused by every convolution that holds it.
public final class ConvolutionWorkspace {
    /// Floats of im2col columns per chunk of output rows (at least one row per chunk).
    let chunkFloats: Int
    var columns: [Float] = []
    var gradients: [Float] = []

    /// A workspace whose im2col chunks hold about `chunkFloats` floats (1 MiB by default: a
    /// chunk then stays in cache between im2col and sgemm).
    public init(chunkFloats: Int = 1 << 18) {
        self.chunkFloats = chunkFloats
    }

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
