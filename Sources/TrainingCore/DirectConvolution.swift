// A direct 3x3 convolution for the layers with few output channels, where im2col + sgemm
// spends as long copying as multiplying: im2col writes nine copies of the input, and sgemm
// packs them again, for only Cout (16 or 32) multiply-adds per copied float. Here the input
// is copied once, into a zero-padded buffer, and register tiles accumulate straight from it:
// 4 output channels x 16 pixels for the forward and the input gradient, 3 output channels x 3
// taps for the weight gradient.
//
// Legend as in Tensor.swift; besides:
//   Hp, Wp   H + 2, W + 2: a plane with its one-pixel zero border
//   Cb       output channels rounded up to whole blocks of 4

/// The direct 3x3 convolution ("same" padding, stride 1) of one slice:
///
///     padded  [Cin, Hp, Wp]   the input with a zero border (``pad(_:into:height:width:)``)
///     packed  [Cb/4, Cin, 9, 4]  the weight, 4 output channels innermost (``pack(_:outputChannels:inputChannels:into:)``)
///     output  [Cout, H, W]    output[co, y, x] = bias[co] + sum over ci, ky, kx of
///                             weight[co, ci, ky, kx] * padded[ci, y + ky, x + kx]
///
/// Each output element sums its Cin * 9 products in the order ci, ky, kx, whatever the thread
/// count. It serves the forward (input and weight) and the input gradient (dy and the flipped
/// weight) of ``Conv2d``; ``accumulateWeightGradient(padded:inputChannels:gradient:outputChannels:into:height:width:)``
/// serves its weight gradient.
enum DirectConvolution {
    /// Pixels of one register tile: two SIMD8 lanes.
    static let tileWidth = 16
    /// Output channels of one register tile.
    static let blockChannels = 4

    /// Whether a 3x3 layer of this shape runs direct: W a whole number of tiles, and at most 32
    /// output channels. Narrow layers do few multiply-adds per float that im2col copies, so the
    /// direct kernel beats im2col + sgemm there; with 64 or more output channels sgemm is as
    /// fast (docs/training-core.md has the layer-by-layer measurements).
    static func suits(outputChannels: Int, width: Int) -> Bool {
        width % tileWidth == 0 && outputChannels <= 32
    }

    /// Floats of a padded slice of `channels` planes.
    static func paddedCount(channels: Int, height: Int, width: Int) -> Int {
        channels * (height + 2) * (width + 2)
    }

    /// Floats of a packed weight.
    static func packedCount(outputChannels: Int, inputChannels: Int) -> Int {
        (outputChannels + blockChannels - 1) / blockChannels * inputChannels * 9 * blockChannels
    }

    /// Copies the planes of `parts` (channel parts of one slice, `[C_i, H, W]` each) one after
    /// another into `padded [sum C_i, Hp, Wp]`, with a zero border.
    ///
    /// With `rows`, only what a band of output rows reads: `padded [sum C_i, rows.count + 2, Wp]`,
    /// whose row r is the image's row `rows.lowerBound - 1 + r` (zero outside the image), the
    /// padded input of a `rows.count`-row image for ``convolve(padded:inputChannels:packed:bias:outputChannels:output:height:width:outputPlane:)``.
    static func pad(_ parts: [(UnsafePointer<Float>, Int)], rows: Range<Int>? = nil, into padded: UnsafeMutablePointer<Float>,
                    height: Int, width: Int) {
        let rows = rows ?? 0..<height
        let wp = width + 2, bandRows = rows.count + 2
        var destination = padded
        for (source, channels) in parts {
            for c in 0..<channels {
                let plane = source + c * height * width
                for r in 0..<bandRows {
                    let row = destination + r * wp, y = rows.lowerBound - 1 + r
                    guard y >= 0 && y < height else {
                        row.update(repeating: 0, count: wp)
                        continue
                    }
                    row[0] = 0
                    (row + 1).update(from: plane + y * width, count: width)
                    row[width + 1] = 0
                }
                destination += bandRows * wp
            }
        }
    }

    /// Packs `weight [Cout, Cin, 3, 3]` (or any `[rows, Cin * 9]` matrix, rows = Cout) as
    /// `[Cb/4, Cin, 9, 4]`, zero beyond Cout, so that a tile's four weights of one tap are
    /// adjacent.
    static func pack(_ weight: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, into packed: UnsafeMutablePointer<Float>) {
        let depth = inputChannels * 9
        pack(outputChannels: outputChannels, inputChannels: inputChannels, into: packed) { weight[$0 * depth + $1] }
    }

    /// Packs the matrix whose element (row co, column k = ci * 9 + tap) is `element(co, k)`,
    /// `[Cout, Cin * 9]`, as ``pack(_:outputChannels:inputChannels:into:)`` does.
    static func pack(outputChannels: Int, inputChannels: Int, into packed: UnsafeMutablePointer<Float>,
                     element: (_ row: Int, _ column: Int) -> Float) {
        let blocks = (outputChannels + blockChannels - 1) / blockChannels
        let depth = inputChannels * 9
        for block in 0..<blocks {
            for k in 0..<depth {
                for j in 0..<blockChannels {
                    let co = block * blockChannels + j
                    packed[(block * depth + k) * blockChannels + j] = co < outputChannels ? element(co, k) : 0
                }
            }
        }
    }

    /// `output [Cout, H, W]` = the convolution of `padded [Cin, Hp, Wp]` with `packed`, plus
    /// `bias [Cout]` (nil: none). W must be a multiple of ``tileWidth``. `outputPlane` is the
    /// distance between output channels (default H * W): a band of rows of a taller output.
    ///
    /// Hot loop over raw pointers in SIMD8 lanes: eight accumulators (4 channels x 16 pixels)
    /// stay in registers across the Cin * 9 taps, each tap two unaligned loads of the padded
    /// input, four broadcast weights and eight fused multiply-adds.
    static func convolve(padded: UnsafePointer<Float>, inputChannels: Int, packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         outputChannels: Int, output: UnsafeMutablePointer<Float>, height: Int, width: Int, outputPlane: Int? = nil) {
        precondition(width % tileWidth == 0, "DirectConvolution: width \(width) is not a multiple of \(tileWidth)")
        let wp = width + 2, paddedPlane = (height + 2) * wp, plane = outputPlane ?? height * width
        let blocks = (outputChannels + blockChannels - 1) / blockChannels
        let blockStride = inputChannels * 9 * blockChannels
        for y in 0..<height {
            for block in 0..<blocks {
                let co0 = block * blockChannels
                let weights = packed + block * blockStride
                var initial = SIMD4<Float>()
                if let bias {
                    for j in 0..<min(blockChannels, outputChannels - co0) { initial[j] = bias[co0 + j] }
                }
                for x0 in stride(from: 0, to: width, by: tileWidth) {
                    var a0 = SIMD8<Float>(repeating: initial[0]), b0 = a0
                    var a1 = SIMD8<Float>(repeating: initial[1]), b1 = a1
                    var a2 = SIMD8<Float>(repeating: initial[2]), b2 = a2
                    var a3 = SIMD8<Float>(repeating: initial[3]), b3 = a3
                    var window = padded + y * wp + x0
                    var w = weights
                    for _ in 0..<inputChannels {
                        for ky in 0..<3 {
                            let row = window + ky * wp
                            for kx in 0..<3 {
                                let left = SIMD8<Float>(loading: row + kx), right = SIMD8<Float>(loading: row + kx + 8)
                                let w0 = SIMD8<Float>(repeating: w[0]), w1 = SIMD8<Float>(repeating: w[1])
                                let w2 = SIMD8<Float>(repeating: w[2]), w3 = SIMD8<Float>(repeating: w[3])
                                a0.addProduct(w0, left); b0.addProduct(w0, right)
                                a1.addProduct(w1, left); b1.addProduct(w1, right)
                                a2.addProduct(w2, left); b2.addProduct(w2, right)
                                a3.addProduct(w3, left); b3.addProduct(w3, right)
                                w += blockChannels
                            }
                        }
                        window += paddedPlane
                    }
                    let out = output + co0 * plane + y * width + x0
                    let valid = min(blockChannels, outputChannels - co0)
                    a0.store(to: out); b0.store(to: out + 8)
                    if valid > 1 { a1.store(to: out + plane); b1.store(to: out + plane + 8) }
                    if valid > 2 { a2.store(to: out + 2 * plane); b2.store(to: out + 2 * plane + 8) }
                    if valid > 3 { a3.store(to: out + 3 * plane); b3.store(to: out + 3 * plane + 8) }
                }
            }
        }
    }

    /// Pixels of one band of rows in ``accumulateWeightGradient(padded:inputChannels:gradient:outputChannels:into:height:width:)``:
    /// three channels of dy over a band (12 KiB) and the band's input rows stay in L1 while
    /// every (input channel, kernel row) sweeps them. Without bands, each sweep would read whole
    /// planes from beyond L2, which made the kernel slower than im2col + sgemm.
    static let bandPixels = 1024

    /// Adds the weight gradient of one slice to `weightGradient [Cout, Cin, 3, 3]`:
    ///
    ///     weightGradient[co, ci, ky, kx] += sum over y, x of dy[co, y, x] * padded[ci, y + ky, x + kx]
    ///
    /// with `dy [Cout, H, W]` and `padded [Cin, Hp, Wp]`. W must be a multiple of 8.
    /// `gradientPlane` is the distance between dy's channels (default H * W): a band of rows of
    /// a taller dy.
    ///
    /// Hot loop over raw pointers in SIMD8 lanes: for 3 output channels, one input channel and
    /// one kernel row, nine accumulators (3 channels x 3 taps, eight pixel lanes each) sweep a
    /// band of rows, each step three loads of dy, three shifted loads of the input and nine
    /// fused multiply-adds; each band's lanes are then summed in a fixed order. (Four channels,
    /// twelve accumulators, left the compiler too few of AVX2's sixteen registers: it spilled
    /// two accumulators to the stack in the inner loop.)
    static func accumulateWeightGradient(padded: UnsafePointer<Float>, inputChannels: Int, gradient dy: UnsafePointer<Float>,
                                         outputChannels: Int, into weightGradient: UnsafeMutablePointer<Float>, height: Int, width: Int,
                                         gradientPlane: Int? = nil) {
        precondition(width % 8 == 0, "DirectConvolution: width \(width) is not a multiple of 8")
        let wp = width + 2, paddedPlane = (height + 2) * wp, plane = gradientPlane ?? height * width
        let depth = inputChannels * 9
        let bandRows = max(1, bandPixels / width)
        for y0 in stride(from: 0, to: height, by: bandRows) {
            let rows = y0..<min(height, y0 + bandRows)
            for co0 in stride(from: 0, to: outputChannels, by: 3) {
                let valid = min(3, outputChannels - co0)
                // A block short of 3 channels reads its first channel again and drops the result.
                let (g0, g1, g2) = (dy + co0 * plane, dy + (co0 + (valid > 1 ? 1 : 0)) * plane, dy + (co0 + (valid > 2 ? 2 : 0)) * plane)
                for ci in 0..<inputChannels {
                    for ky in 0..<3 {
                        var s00 = SIMD8<Float>(), s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00
                        var s20 = s00, s21 = s00, s22 = s00
                        for y in rows {
                            let row = padded + ci * paddedPlane + (y + ky) * wp
                            let offset = y * width
                            var x = 0
                            while x < width {
                                let d0 = SIMD8<Float>(loading: g0 + offset + x), d1 = SIMD8<Float>(loading: g1 + offset + x)
                                let d2 = SIMD8<Float>(loading: g2 + offset + x)
                                let i0 = SIMD8<Float>(loading: row + x)
                                s00.addProduct(d0, i0); s10.addProduct(d1, i0); s20.addProduct(d2, i0)
                                let i1 = SIMD8<Float>(loading: row + x + 1)
                                s01.addProduct(d0, i1); s11.addProduct(d1, i1); s21.addProduct(d2, i1)
                                let i2 = SIMD8<Float>(loading: row + x + 2)
                                s02.addProduct(d0, i2); s12.addProduct(d1, i2); s22.addProduct(d2, i2)
                                x += 8
                            }
                        }
                        let tap = weightGradient + co0 * depth + ci * 9 + ky * 3
                        tap[0] += s00.sum(); tap[1] += s01.sum(); tap[2] += s02.sum()
                        if valid > 1 { tap[depth] += s10.sum(); tap[depth + 1] += s11.sum(); tap[depth + 2] += s12.sum() }
                        if valid > 2 { tap[2 * depth] += s20.sum(); tap[2 * depth + 1] += s21.sum(); tap[2 * depth + 2] += s22.sum() }
                    }
                }
            }
        }
    }
}
