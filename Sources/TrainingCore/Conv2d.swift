import SeededRandom

/// A 2-D convolution, stride 1, "same" zero padding (kernelSize / 2), with bias, computed band
/// by band of output rows as im2col + sgemm (a 1x1 convolution needs no im2col), or, for a 3x3
/// layer with few output channels, as a ``DirectConvolution`` of the same three products below.
///
///     forward   x [B, Cin, H, W]  ->  y [B, Cout, H, W]
///               y[b] = weight[Cout, Cin*kh*kw] * columns(x[b])[Cin*kh*kw, H*W] + bias
///     backward  dy [B, Cout, H, W] -> dx [B, Cin, H, W]
///               dweight += dy[b] * columns(x[b])^T,  dbias += sum over H, W of dy[b]
///               dx[b] = flipped[Cin, Cout*kh*kw] * columns(dy[b]), the same convolution of dy
///               with flipped[ci, co, ky, kx] = weight[co, ci, kh-1-ky, kw-1-kx]
///               (the adjoint of a "same" convolution; an sgemm with a deep inner dimension
///               instead of weight^T * dy followed by a scatter-add col2im)
///
/// The input may come in parts along the channels (``forward(concatenating:recording:)``):
/// im2col reads each part in turn, and the backward hands each part its own gradient, so the
/// U-Net's decoder blocks never build the concatenation [skip, upsampled] nor split its
/// gradient (two copies of the largest activations per level, each way).
///
/// Threads: the work is split into tasks (a band of rows of one slice; in the backward through
/// sgemm also a group of input channels' columns of dweight) handed to whichever thread is
/// free. Each output element, dweight's included, is summed by one task in a fixed order, so
/// every result has the same bits on any thread count.
public final class Conv2d: Module {
    /// Cin.
    public let inputChannels: Int
    /// Cout.
    public let outputChannels: Int
    /// kh = kw (1 or 3).
    public let kernelSize: Int
    /// `[Cout, Cin, kh, kw]`.
    public let weight: Parameter
    /// `[Cout]`.
    public let bias: Parameter
    /// The input parts of each recorded forward.
    private var records: [[Tensor]] = []
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
    /// floats) stay near the workspace's chunk size, so im2col writes them and sgemm packs them
    /// from cache rather than from memory; but a chunk has at least the workspace's minimum
    /// columns (256), because every sgemm packs the whole weight matrix (Cout x Cin*kh*kw)
    /// again, which deep layers cannot afford per row of 8 or 16 pixels. A 1x1 convolution
    /// needs no columns and runs on whole planes.
    private func rowsPerChunk(height: Int, width: Int) -> Int {
        guard kernelSize > 1 else { return height }
        let depth = inputChannels * kernelSize * kernelSize
        let minimumRows = (workspace.minimumColumns + width - 1) / width
        return max(1, min(height, max(minimumRows, workspace.chunkFloats / (depth * width))))
    }

    /// `x [B, Cin, H, W] -> [B, Cout, H, W]`.
    public func forward(_ x: Tensor, recording: Bool = false) -> Tensor {
        forward(concatenating: [x], recording: recording)
    }

    /// The convolution of the channel concatenation of `parts` (`[B, C_i, H, W]` with
    /// sum C_i = Cin) without building it: `-> [B, Cout, H, W]`. Pair it with
    /// ``backward(parts:)``.
    public func forward(concatenating parts: [Tensor], recording: Bool = false) -> Tensor {
        let first = parts[0]
        precondition(parts.allSatisfy { $0.shape.count == 4 && $0.batch == first.batch && $0.height == first.height && $0.width == first.width }
                     && parts.reduce(0) { $0 + $1.channels } == inputChannels,
                     "Conv2d: input parts \(parts.map(\.shape)), expected [B, C_i, H, W] with channels adding up to \(inputChannels)")
        let (batch, height, width) = (first.batch, first.height, first.width)
        let plane = height * width, depth = inputChannels * kernelSize * kernelSize
        // A 1x1 convolution of one part multiplies the input as it is; a 3x3 one with few
        // output channels runs as a DirectConvolution; anything else goes through im2col's columns.
        let inputIsOperand = kernelSize == 1 && parts.count == 1
        let directConvolution = runsDirect(width: width)
        let rows = directConvolution ? workspace.bandRows(channels: inputChannels, height: height, width: width)
            : rowsPerChunk(height: height, width: width)
        let bands = (height + rows - 1) / rows
        let scratch = directConvolution ? DirectConvolution.paddedCount(channels: inputChannels, height: rows, width: width)
            : inputIsOperand ? 0 : depth * rows * width
        let workers = workspace.prepare(tasks: batch * bands, columns: scratch, gradients: 0)
        if directConvolution { packWeight() }
        let partChannels = parts.map(\.channels)
        // Hot loop over raw pointers: sgemm takes pointers, the array accessors would
        // otherwise re-check bounds for every element of im2col, and the tasks may run on
        // several threads. Every output element is first set to its bias, so the tensor needs
        // no zero fill.
        let y = Tensor(shape: [batch, outputChannels, height, width]) { ys in
            withBaseAddresses(parts) { inputs in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    bias.value.scalars.withUnsafeBufferPointer { bs in
                        let (yp, wp, bp) = (ys.baseAddress!, w.baseAddress!, bs.baseAddress!)
                        // Task = one band of output rows of one slice.
                        workspace.forEachTask(batch * bands, workers: workers) { [self] task, slot in
                            let (b, y0) = (task / bands, task % bands * rows)
                            let band = y0..<min(height, y0 + rows), n = band.count * width
                            let slice = Conv2d.slice(b, of: inputs, partChannels, plane: plane)
                            let output = yp + b * outputChannels * plane + y0 * width
                            if directConvolution {
                                DirectConvolution.pad(slice, rows: band, into: slot.columns.pointer, height: height, width: width)
                                DirectConvolution.convolve(padded: slot.columns.pointer, inputChannels: inputChannels, packed: workspace.packed.pointer,
                                                           bias: bp, outputChannels: outputChannels, output: output,
                                                           height: band.count, width: width, outputPlane: plane)
                                return
                            }
                            for co in 0..<outputChannels {
                                (output + co * plane).update(repeating: bp[co], count: n)
                            }
                            let (source, ldb) = columns(slice, inputIsOperand: inputIsOperand, into: slot.columns.pointer, height: height, width: width,
                                                        rows: band)
                            BLAS.sgemm(m: outputChannels, n: n, k: depth, a: wp, b: source, ldb: ldb, beta: 1, c: output, ldc: plane)
                        }
                    }
                }
            }
        }
        if recording { records.append(parts) }
        return y
    }

    /// `dy [B, Cout, H, W] -> dx [B, Cin, H, W]`; accumulates the weight and bias gradients.
    public func backward(_ dy: Tensor) -> Tensor {
        let parts = backward(dy, inputGradient: true)!
        precondition(parts.count == 1, "Conv2d.backward: the forward had \(parts.count) input parts; use backward(parts:)")
        return parts[0]
    }

    /// The backward of ``forward(concatenating:recording:)``: `dy [B, Cout, H, W]` -> the
    /// gradient of each input part, `[B, C_i, H, W]`; accumulates the weight and bias gradients.
    public func backward(parts dy: Tensor) -> [Tensor] {
        backward(dy, inputGradient: true)!
    }

    /// As ``backward(_:)`` but skips the input gradient (the first layer of a network, when
    /// nobody asks for d(loss)/d(image)).
    public func backwardParametersOnly(_ dy: Tensor) {
        _ = backward(dy, inputGradient: false)
    }

    private func backward(_ dy: Tensor, inputGradient: Bool) -> [Tensor]? {
        guard let parts = records.popLast() else { preconditionFailure("Conv2d.backward without a recorded forward") }
        let first = parts[0]
        let (batch, height, width) = (first.batch, first.height, first.width)
        precondition(dy.shape == [batch, outputChannels, height, width], "Conv2d.backward: dy \(dy.shape) for input parts \(parts.map(\.shape))")
        let kk = kernelSize * kernelSize
        let plane = height * width, depth = inputChannels * kk
        let inputIsOperand = kernelSize == 1 && parts.count == 1
        let partChannels = parts.map(\.channels)
        let channelOffsets = partChannels.indices.map { partChannels[..<$0].reduce(0, +) }
        // The weight gradient goes direct where the forward does (x padded band by band), else
        // through im2col of x. The input gradient is the convolution of dy with the flipped
        // weight, whose outputs are the input's channels: direct when each part has few (dy
        // padded band by band), else im2col of dy.
        let directWeightGradient = runsDirect(width: width)
        let directInputGradient = inputGradient && kernelSize == 3
            && partChannels.allSatisfy { workspace.runsDirect(outputChannels: $0, width: width) }
        let usesColumns = !directWeightGradient || (inputGradient && !directInputGradient)
        let rows = usesColumns ? rowsPerChunk(height: height, width: width)
            : workspace.bandRows(channels: max(inputChannels, outputChannels), height: height, width: width)
        let bands = (height + rows - 1) / rows
        // The tasks: first, through sgemm, the weight gradient in groups of input channels
        // (columns of dweight), each summing every slice and band in order straight into
        // dweight; then one task per band of each slice, for its rows of dx and, direct, its
        // share of the weight gradient, into a partial of its own that is added after, in task
        // order. Either way the bits depend neither on the thread count nor on which thread
        // ran which task.
        let groupChannels = (inputChannels + 3) / 4
        let groups = directWeightGradient ? 0 : (inputChannels + groupChannels - 1) / groupChannels
        let tasks = groups + batch * bands
        let columnCount = directWeightGradient ? DirectConvolution.paddedCount(channels: inputChannels, height: rows, width: width)
            : inputIsOperand ? 0 : depth * rows * width
        let gradientDepth = outputChannels * kk
        let gradientColumns = directInputGradient ? DirectConvolution.paddedCount(channels: outputChannels, height: rows, width: width)
            : inputGradient && kernelSize > 1 ? gradientDepth * rows * width : 0
        let workers = workspace.prepare(tasks: tasks, columns: columnCount, gradients: gradientColumns)
        let weightCount = outputChannels * depth
        let partialCount = directWeightGradient ? batch * bands : 0
        workspace.partials.reserve(partialCount * weightCount)
        let partials = workspace.partials.pointer
        // The flipped weight as a matrix for sgemm, or each part's rows of it packed straight
        // from the weight for DirectConvolution, one part after another.
        let flipped = inputGradient && !directInputGradient ? flippedWeight() : []
        let packedOffsets = partChannels.indices.map {
            partChannels[..<$0].reduce(0) { $0 + DirectConvolution.packedCount(outputChannels: $1, inputChannels: outputChannels) }
        }
        if directInputGradient { packFlippedWeight(partChannels: partChannels, channelOffsets: channelOffsets, packedOffsets: packedOffsets) }
        // The input-gradient products (sgemm with beta 0, or direct) write every element of
        // dx: no zero fill.
        var dx = inputGradient ? parts.map { Tensor(shape: $0.shape) { _ in } } : []
        withBaseAddresses(parts) { inputs in
            withMutableBaseAddresses(&dx) { dxs in
                dy.scalars.withUnsafeBufferPointer { dys in
                    flipped.withUnsafeBufferPointer { f in
                        weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                            let (dyp, fp, dwp) = (dys.baseAddress!, f.baseAddress, dw.baseAddress!)
                            workspace.forEachTask(tasks, workers: workers) { [self] task, slot in
                                if task < groups {
                                    // dweight[:, group's columns] += dy[b][:, band] * columns(x[b], group's channels)^T
                                    let channels = task * groupChannels..<min(inputChannels, (task + 1) * groupChannels)
                                    for b in 0..<batch {
                                        let slice = Conv2d.channels(channels, of: Conv2d.slice(b, of: inputs, partChannels, plane: plane), plane: plane)
                                        for y0 in stride(from: 0, to: height, by: rows) {
                                            let band = y0..<min(height, y0 + rows)
                                            let (source, ldb) = columns(slice, inputIsOperand: inputIsOperand, into: slot.columns.pointer,
                                                                        height: height, width: width, rows: band)
                                            BLAS.sgemm(transposeB: true, m: outputChannels, n: channels.count * kk, k: band.count * width,
                                                       a: dyp + b * outputChannels * plane + y0 * width, lda: plane, b: source, ldb: ldb,
                                                       beta: 1, c: dwp + channels.lowerBound * kk, ldc: depth)
                                        }
                                    }
                                    return
                                }
                                let index = task - groups
                                let (b, y0) = (index / bands, index % bands * rows)
                                let band = y0..<min(height, y0 + rows), n = band.count * width
                                let grad = dyp + b * outputChannels * plane
                                if directWeightGradient {
                                    let slice = Conv2d.slice(b, of: inputs, partChannels, plane: plane)
                                    let partial = partials + index * weightCount
                                    partial.update(repeating: 0, count: weightCount)
                                    DirectConvolution.pad(slice, rows: band, into: slot.columns.pointer, height: height, width: width)
                                    DirectConvolution.accumulateWeightGradient(padded: slot.columns.pointer, inputChannels: inputChannels,
                                                                               gradient: grad + y0 * width, outputChannels: outputChannels, into: partial,
                                                                               height: band.count, width: width, gradientPlane: plane)
                                }
                                guard inputGradient else { return }
                                if directInputGradient {
                                    DirectConvolution.pad([(grad, outputChannels)], rows: band, into: slot.gradients.pointer, height: height, width: width)
                                    for (part, channels) in partChannels.enumerated() {
                                        DirectConvolution.convolve(padded: slot.gradients.pointer, inputChannels: outputChannels,
                                                                   packed: workspace.packed.pointer + packedOffsets[part], bias: nil, outputChannels: channels,
                                                                   output: dxs[part] + b * channels * plane + y0 * width,
                                                                   height: band.count, width: width, outputPlane: plane)
                                    }
                                    return
                                }
                                guard let fp else { return }
                                // dx[:, band] = flipped[Cin, Cout*kh*kw] * columns(dy)[:, band], the
                                // rows of each part into that part's gradient.
                                var gradSource = grad + y0 * width, gradLd = plane
                                if kernelSize > 1 {
                                    im2col([(grad, outputChannels)], slot.gradients.pointer, height: height, width: width, rows: band)
                                    (gradSource, gradLd) = (UnsafePointer(slot.gradients.pointer), n)
                                }
                                for (part, channels) in partChannels.enumerated() {
                                    BLAS.sgemm(m: channels, n: n, k: gradientDepth, a: fp + channelOffsets[part] * gradientDepth,
                                               b: gradSource, ldb: gradLd, beta: 0,
                                               c: dxs[part] + b * channels * plane + y0 * width, ldc: plane)
                                }
                            }
                            // dweight += the direct partials, in task order.
                            if partialCount > 0 {
                                forEachBlock(weightCount) { range in
                                    addPartials(partials, partialCount, count: weightCount, range: range, into: dwp)
                                }
                            }
                            // dbias[co] += sum over slices and pixels of dy[b, co], slices in order.
                            bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                                let dbp = db.baseAddress!
                                parallelFor(outputChannels) { [outputChannels] co in
                                    var total: Float = 0
                                    for b in 0..<batch { total += sum(dyp + (b * outputChannels + co) * plane, count: plane) }
                                    dbp[co] += total
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient ? dx : nil
    }

    /// Slice b of a batch whose channel parts start at `inputs` with `partChannels` channels
    /// each, as parts `(pointer, channels)`.
    private static func slice(_ b: Int, of inputs: [UnsafePointer<Float>], _ partChannels: [Int], plane: Int) -> [(UnsafePointer<Float>, Int)] {
        zip(inputs, partChannels).map { ($0 + b * $1 * plane, $1) }
    }

    /// The channels `range` of a slice given as channel parts `(pointer, channels)`, as parts.
    private static func channels(_ range: Range<Int>, of parts: [(UnsafePointer<Float>, Int)], plane: Int) -> [(UnsafePointer<Float>, Int)] {
        var result: [(UnsafePointer<Float>, Int)] = [], offset = 0
        for (pointer, channels) in parts {
            let lower = max(range.lowerBound, offset), upper = min(range.upperBound, offset + channels)
            if lower < upper { result.append((pointer + (lower - offset) * plane, upper - lower)) }
            offset += channels
        }
        return result
    }

    /// Whether this layer's forward and weight gradient run as a ``DirectConvolution`` on
    /// slices of this width.
    private func runsDirect(width: Int) -> Bool {
        kernelSize == 3 && workspace.runsDirect(outputChannels: outputChannels, width: width)
    }

    /// Packs the weight into the workspace for ``DirectConvolution``.
    private func packWeight() {
        workspace.packed.reserve(DirectConvolution.packedCount(outputChannels: outputChannels, inputChannels: inputChannels))
        weight.value.scalars.withUnsafeBufferPointer { w in
            DirectConvolution.pack(w.baseAddress!, outputChannels: outputChannels, inputChannels: inputChannels, into: workspace.packed.pointer)
        }
    }

    /// Packs each part's rows of the flipped weight (``flippedWeight()``, rows = input
    /// channels) for ``DirectConvolution`` into the workspace, part p at `packedOffsets[p]`.
    private func packFlippedWeight(partChannels: [Int], channelOffsets: [Int], packedOffsets: [Int]) {
        workspace.packed.reserve(packedOffsets.last! + DirectConvolution.packedCount(outputChannels: partChannels.last!, inputChannels: outputChannels))
        weight.value.scalars.withUnsafeBufferPointer { w in
            for (part, channels) in partChannels.enumerated() {
                // flipped[ci, co * 9 + tap] = weight[co, ci, 8 - tap] (3x3: the tap mirrored).
                DirectConvolution.pack(outputChannels: channels, inputChannels: outputChannels,
                                       into: workspace.packed.pointer + packedOffsets[part]) { row, column in
                    let (ci, co, tap) = (channelOffsets[part] + row, column / 9, column % 9)
                    return w[(co * inputChannels + ci) * 9 + 8 - tap]
                }
            }
        }
    }

    /// `[Cin, Cout * kh * kw]` with flipped[ci, co, ky, kx] = weight[co, ci, kh-1-ky, kw-1-kx].
    private func flippedWeight() -> [Float] {
        let (cin, cout, kk) = (inputChannels, outputChannels, kernelSize * kernelSize)
        return weight.value.scalars.withUnsafeBufferPointer { w in
            [Float](unsafeUninitializedCapacity: w.count) { flipped, initialised in
                let (fp, wp) = (flipped.baseAddress!, w.baseAddress!)
                // The deep layers' weights run to 590 K floats, flipped every backward. One
                // task per block of 8 input channels (rows of the flipped matrix), which reads
                // 8 * kk contiguous floats of each output channel's weights: one input channel
                // per task read kk floats a row and took 3.7 ns a float.
                let block = 8
                parallelFor((cin + block - 1) / block) { k in
                    let channels = k * block..<min(cin, (k + 1) * block)
                    for co in 0..<cout {
                        for ci in channels {
                            let source = wp + (co * cin + ci) * kk, destination = fp + (ci * cout + co) * kk
                            if kk == 9 {
                                // Spelled out: the loop over a run-time kk ran scalar, with its
                                // bounds checked per tap.
                                (destination[0], destination[1], destination[2]) = (source[8], source[7], source[6])
                                (destination[3], destination[4], destination[5]) = (source[5], source[4], source[3])
                                (destination[6], destination[7], destination[8]) = (source[2], source[1], source[0])
                            } else {
                                for tap in 0..<kk { destination[kk - 1 - tap] = source[tap] }
                            }
                        }
                    }
                }
                initialised = w.count
            }
        }
    }

    /// The sgemm operand for output rows `rows` of one slice and its row stride: the input
    /// itself for a 1x1 convolution of one part, else its im2col columns in `buffer`.
    private func columns(_ slice: [(UnsafePointer<Float>, Int)], inputIsOperand: Bool, into buffer: UnsafeMutablePointer<Float>,
                         height: Int, width: Int, rows: Range<Int>) -> (UnsafePointer<Float>, Int) {
        if inputIsOperand { return (slice[0].0 + rows.lowerBound * width, height * width) }
        im2col(slice, buffer, height: height, width: width, rows: rows)
        return (UnsafePointer(buffer), rows.count * width)
    }

    /// For output rows `rows` of one slice given as channel parts `(pointer, channels)` (their
    /// concatenation has c = 0..<sum of channels):
    /// columns[(c*kh + ky)*kw + kx, (y - rows.lowerBound)*W + x] = x[c, y + ky - pad, x + kx - pad],
    /// zero outside the image.
    private func im2col(_ parts: [(UnsafePointer<Float>, Int)], _ cols: UnsafeMutablePointer<Float>, height: Int, width: Int,
                        rows: Range<Int>) {
        let pad = kernelSize / 2, plane = height * width, n = rows.count * width
        var row = cols
        for (input, channels) in parts {
            for ci in 0..<channels {
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
    }
}

/// Calls `body` with the base address of each tensor's scalars (tensors of a layer's input
/// parts, read by several threads at once).
func withBaseAddresses<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    func nest(_ index: Int, _ addresses: [UnsafePointer<Float>]) -> R {
        guard index < tensors.count else { return body(addresses) }
        return tensors[index].scalars.withUnsafeBufferPointer { nest(index + 1, addresses + [$0.baseAddress!]) }
    }
    return nest(0, [])
}

/// Calls `body` with the mutable base address of each tensor's scalars (tensors that are not
/// empty; each is taken out of the array while it is written, so no two accesses overlap).
func withMutableBaseAddresses<R>(_ tensors: inout [Tensor], _ body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
    guard var last = tensors.popLast() else { return body([]) }
    defer { tensors.append(last) }
    return withMutableBaseAddresses(&tensors) { addresses in
        last.scalars.withUnsafeMutableBufferPointer { body(addresses + [$0.baseAddress!]) }
    }
}
