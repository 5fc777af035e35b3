import Dispatch
import SeededRandom

/// A 2-D convolution, stride 1, "same" zero padding (kernelSize / 2), with bias, computed per
/// slice as im2col + sgemm (a 1x1 convolution needs no im2col).
///
///     forward   x [B, Cin, H, W]  ->  y [B, Cout, H, W]
///               y[b] = weight[Cout, Cin*kh*kw] * columns(x[b])[Cin*kh*kw, H*W] + bias
///     backward  dy [B, Cout, H, W] -> dx [B, Cin, H, W]
///               dweight += dy[b] * columns(x[b])^T,  dbias += sum over H, W of dy[b]
///               dx[b] = flipped[Cin, Cout*kh*kw] * columns(dy[b]), the same convolution of dy
///               with flipped[ci, co, ky, kx] = weight[co, ci, kh-1-ky, kw-1-kx]
///               (the adjoint of a "same" convolution; an sgemm with a deep inner dimension
///               instead of weight^T * dy followed by a scatter-add col2im)
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
        let workers = workspace.prepare(batch: batch, columns: kernelSize > 1 ? depth * chunk * width : 0, gradients: 0, partials: 0)
        // Hot loop over raw pointers: sgemm takes pointers, the array accessors would
        // otherwise re-check bounds for every element of im2col, and the slices of a batch
        // may run on several threads. Every output element is first set to its bias, so the
        // tensor needs no zero fill.
        let y = Tensor(shape: [batch, outputChannels, height, width]) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    bias.value.scalars.withUnsafeBufferPointer { bs in
                        let (xp, yp, wp, bp) = (xs.baseAddress!, ys.baseAddress!, w.baseAddress!, bs.baseAddress!)
                        workspace.forEachSlice(batch, workers: workers) { [self] b, slot in
                            let input = xp + b * inputChannels * plane
                            let output = yp + b * outputChannels * plane
                            for co in 0..<outputChannels {
                                (output + co * plane).update(repeating: bp[co], count: plane)
                            }
                            for y0 in stride(from: 0, to: height, by: chunk) {
                                let n = min(chunk, height - y0) * width
                                var source = input + y0 * width, ldb = plane
                                if kernelSize > 1 {
                                    im2col(input, channels: inputChannels, slot.columns.pointer, height: height, width: width,
                                           rows: y0..<y0 + n / width)
                                    (source, ldb) = (UnsafePointer(slot.columns.pointer), n)
                                }
                                BLAS.sgemm(m: outputChannels, n: n, k: depth, a: wp, b: source, ldb: ldb,
                                           beta: 1, c: output + y0 * width, ldc: plane)
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
        let gradientDepth = outputChannels * kernelSize * kernelSize
        // Each worker sums its slices' weight and bias gradients in its own slot; the slots are
        // then added in a fixed order, so a thread count always gives the same bits.
        let partialCount = outputChannels * depth + outputChannels
        let gradientColumns = inputGradient && kernelSize > 1 ? gradientDepth * chunk * width : 0
        let workers = workspace.prepare(batch: batch, columns: columnCount, gradients: gradientColumns, partials: partialCount)
        let flipped = inputGradient ? flippedWeight() : []
        // The input-gradient sgemms (beta 0) write every element of dx: no zero fill.
        var dx = inputGradient ? Tensor(shape: x.shape) { _ in } : Tensor(shape: [0])
        x.scalars.withUnsafeBufferPointer { xs in
            dy.scalars.withUnsafeBufferPointer { dys in
                dx.scalars.withUnsafeMutableBufferPointer { dxs in
                    flipped.withUnsafeBufferPointer { f in
                        let (xp, dyp, dxp, fp) = (xs.baseAddress!, dys.baseAddress!, dxs.baseAddress, f.baseAddress)
                        workspace.forEachSlice(batch, workers: workers) { [self] b, slot in
                            let input = xp + b * inputChannels * plane
                            let grad = dyp + b * outputChannels * plane
                            let (dw, db) = (slot.partials.pointer, slot.partials.pointer + outputChannels * depth)
                            for co in 0..<outputChannels {
                                db[co] += sum(grad + co * plane, count: plane)
                            }
                            for y0 in stride(from: 0, to: height, by: chunk) {
                                let n = min(chunk, height - y0) * width
                                let rows = y0..<y0 + n / width
                                var source = input + y0 * width, ldb = plane
                                if kernelSize > 1 {
                                    im2col(input, channels: inputChannels, slot.columns.pointer, height: height, width: width, rows: rows)
                                    (source, ldb) = (UnsafePointer(slot.columns.pointer), n)
                                }
                                // dweight[Cout, depth] += dy[:, chunk] * columns^T
                                BLAS.sgemm(transposeB: true, m: outputChannels, n: depth, k: n,
                                           a: grad + y0 * width, lda: plane, b: source, ldb: ldb, beta: 1, c: dw)
                                guard inputGradient, let dxp, let fp else { continue }
                                // dx[:, chunk] = flipped[Cin, Cout*kh*kw] * columns(dy)[:, chunk]
                                var gradSource = grad + y0 * width, gradLd = plane
                                if kernelSize > 1 {
                                    im2col(grad, channels: outputChannels, slot.gradients.pointer, height: height, width: width, rows: rows)
                                    (gradSource, gradLd) = (UnsafePointer(slot.gradients.pointer), n)
                                }
                                BLAS.sgemm(m: inputChannels, n: n, k: gradientDepth, a: fp, b: gradSource, ldb: gradLd,
                                           beta: 0, c: dxp + b * inputChannels * plane + y0 * width, ldc: plane)
                            }
                        }
                    }
                }
            }
        }
        weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
            bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                for slot in workspace.slots.prefix(workers) {
                    let partial = slot.partials.pointer
                    for i in 0..<outputChannels * depth { dw[i] += partial[i] }
                    for co in 0..<outputChannels { db[co] += partial[outputChannels * depth + co] }
                }
            }
        }
        return inputGradient ? dx : nil
    }

    /// `[Cin, Cout * kh * kw]` with flipped[ci, co, ky, kx] = weight[co, ci, kh-1-ky, kw-1-kx].
    private func flippedWeight() -> [Float] {
        let k = kernelSize, kk = kernelSize * kernelSize
        let w = weight.value.scalars
        var flipped = [Float](repeating: 0, count: w.count)
        for co in 0..<outputChannels {
            for ci in 0..<inputChannels {
                for ky in 0..<k {
                    for kx in 0..<k {
                        flipped[(ci * outputChannels + co) * kk + (k - 1 - ky) * k + (k - 1 - kx)] = w[(co * inputChannels + ci) * kk + ky * k + kx]
                    }
                }
            }
        }
        return flipped
    }

    /// For output rows `rows` of a `channels`-channel slice:
    /// columns[(c*kh + ky)*kw + kx, (y - rows.lowerBound)*W + x] = x[c, y + ky - pad, x + kx - pad],
    /// zero outside the image.
    private func im2col(_ input: UnsafePointer<Float>, channels: Int, _ cols: UnsafeMutablePointer<Float>, height: Int, width: Int,
                        rows: Range<Int>) {
        let pad = kernelSize / 2, plane = height * width, n = rows.count * width
        var row = cols
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

/// Scratch buffers for the convolutions of one network: per worker thread, the im2col columns
/// of one chunk of x (`[Cin*kh*kw, rows*W]`) and of dy (`[Cout*kh*kw, rows*W]`) and partial
/// weight and bias gradients, grown on demand and reused by every convolution that holds the
/// workspace.
///
/// With ``BLAS/threads`` above 1, the slices of a batch are spread over that many threads,
/// each running single-threaded sgemm: one coarse task per slice rather than OpenBLAS's
/// fine-grained split of each (small) product, which loses to synchronisation on a busy machine.
public final class ConvolutionWorkspace {
    /// Floats of im2col columns per chunk of output rows (at least one row per chunk).
    let chunkFloats: Int
    private(set) var slots: [Slot] = []

    /// A workspace whose im2col chunks hold about `chunkFloats` floats (1 MiB by default: a
    /// chunk then stays in cache between im2col and sgemm).
    public init(chunkFloats: Int = 1 << 18) {
        self.chunkFloats = chunkFloats
    }

    /// The buffers of one worker thread.
    final class Slot {
        let columns = ScratchBuffer(), gradients = ScratchBuffer(), partials = ScratchBuffer()
    }

    /// Sizes the slots for a batch and returns the number of workers (zeroing the partials).
    func prepare(batch: Int, columns: Int, gradients: Int, partials: Int) -> Int {
        let workers = max(1, min(BLAS.threads, batch))
        while slots.count < workers { slots.append(Slot()) }
        for slot in slots.prefix(workers) {
            slot.columns.reserve(columns)
            slot.gradients.reserve(gradients)
            slot.partials.reserve(partials)
            slot.partials.pointer.update(repeating: 0, count: partials)
        }
        return workers
    }

    /// Calls `body(b, slot)` for each slice b of the batch: in order on this thread for one
    /// worker; otherwise worker w takes slices w, w + workers, ... with OpenBLAS single-threaded
    /// meanwhile.
    func forEachSlice(_ batch: Int, workers: Int, _ body: @escaping (Int, Slot) -> Void) {
        guard workers > 1 else {
            for b in 0..<batch { body(b, slots[0]) }
            return
        }
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        // Unchecked: worker w writes only the output slices w, w + workers, ... and its own
        // slot, and concurrentPerform returns only when every worker is done.
        let task = UncheckedSendable(value: body), shared = UncheckedSendable(value: slots)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for b in stride(from: w, to: batch, by: workers) { task.value(b, shared.value[w]) }
        }
    }
}

/// A manually allocated Float buffer: scratch shared across threads by raw pointer, which
/// Swift arrays (with their exclusivity checks) cannot be.
final class ScratchBuffer {
    private(set) var pointer = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private(set) var capacity = 1

    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        capacity = count
    }

    deinit { pointer.deallocate() }
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
