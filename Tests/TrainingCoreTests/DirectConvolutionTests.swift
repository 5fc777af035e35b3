import SeededRandom
import XCTest

@testable import TrainingCore

/// The direct 3x3 convolution that Conv2d runs for layers with few output channels on widths
/// that are multiples of 16 (the U-Net's full-resolution layers).
final class DirectConvolutionTests: XCTestCase {
    /// The definition, summed in Double: y[co, y, x] = bias[co] + sum over ci, ky, kx of
    /// w[co, ci, ky, kx] * x[ci, y + ky - 1, x + kx - 1], zero outside the image.
    private func reference(_ x: Tensor, weight: Tensor, bias: [Float]?) -> Tensor {
        let (batch, cin, h, w) = (x.batch, x.channels, x.height, x.width)
        let cout = weight.shape[0]
        var y = Tensor(shape: [batch, cout, h, w])
        for b in 0..<batch {
            for co in 0..<cout {
                for i in 0..<h {
                    for j in 0..<w {
                        var total = Double(bias?[co] ?? 0)
                        for ci in 0..<cin {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let (sy, sx) = (i + ky - 1, j + kx - 1)
                                    guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                                    total += Double(weight[co, ci, ky, kx]) * Double(x[b, ci, sy, sx])
                                }
                            }
                        }
                        y[b, co, i, j] = Float(total)
                    }
                }
            }
        }
        return y
    }

    private func assertClose(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        var worst: Float = 0
        for i in 0..<a.count { worst = max(worst, abs(a.scalars[i] - b.scalars[i])) }
        XCTAssertLessThan(worst, 1e-5, "\(label): worst difference \(worst)", file: file, line: line)
    }

    /// The kernel on its own, against the definition: output channels that fill no whole
    /// block of 4 (5, 2), one input channel, one-row images, with and without a bias.
    func testKernelMatchesTheDefinition() {
        for (cin, cout, h, w, withBias) in [(3, 5, 4, 32, true), (1, 2, 1, 16, false), (2, 8, 3, 16, true)] {
            let x = randomTensor([1, cin, h, w], seed: 1)
            let weight = randomTensor([cout, cin, 3, 3], seed: 2)
            let bias: [Float]? = withBias ? randomTensor([cout], seed: 3).scalars : nil
            var padded = [Float](repeating: .nan, count: DirectConvolution.paddedCount(channels: cin, height: h, width: w))
            var packed = [Float](repeating: .nan, count: DirectConvolution.packedCount(outputChannels: cout, inputChannels: cin))
            var y = Tensor(shape: [1, cout, h, w], repeating: .nan)
            x.scalars.withUnsafeBufferPointer { xs in
                padded.withUnsafeMutableBufferPointer { DirectConvolution.pad([(xs.baseAddress!, cin)], into: $0.baseAddress!, height: h, width: w) }
            }
            weight.scalars.withUnsafeBufferPointer { ws in
                packed.withUnsafeMutableBufferPointer {
                    DirectConvolution.pack(ws.baseAddress!, outputChannels: cout, inputChannels: cin, into: $0.baseAddress!)
                }
            }
            y.scalars.withUnsafeMutableBufferPointer { ys in
                func run(_ b: UnsafePointer<Float>?) {
                    DirectConvolution.convolve(padded: padded, inputChannels: cin, packed: packed, bias: b, outputChannels: cout,
                                               output: ys.baseAddress!, height: h, width: w)
                }
                if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            }
            assertClose(y, reference(x, weight: weight, bias: bias), "Cin \(cin) Cout \(cout) \(h)x\(w)")
        }
    }

    /// A band of rows, padded and convolved on its own into a taller output, gives those rows
    /// of the whole image's convolution, bit for bit (first, middle and last bands, and a band
    /// of the whole image), and leaves the other rows alone.
    func testBandsMatchTheWholeImage() {
        let (cin, cout, h, w) = (3, 5, 9, 16)
        let x = randomTensor([1, cin, h, w], seed: 11), weight = randomTensor([cout, cin, 3, 3], seed: 12)
        var packed = [Float](repeating: .nan, count: DirectConvolution.packedCount(outputChannels: cout, inputChannels: cin))
        weight.scalars.withUnsafeBufferPointer { ws in
            packed.withUnsafeMutableBufferPointer { DirectConvolution.pack(ws.baseAddress!, outputChannels: cout, inputChannels: cin, into: $0.baseAddress!) }
        }
        func convolve(rows: Range<Int>) -> Tensor {
            var padded = [Float](repeating: .nan, count: DirectConvolution.paddedCount(channels: cin, height: rows.count, width: w))
            var y = Tensor(shape: [1, cout, h, w], repeating: .nan)
            x.scalars.withUnsafeBufferPointer { xs in
                padded.withUnsafeMutableBufferPointer { DirectConvolution.pad([(xs.baseAddress!, cin)], rows: rows, into: $0.baseAddress!, height: h, width: w) }
            }
            XCTAssertFalse(padded.contains { $0.isNaN }, "the band is padded in full")
            y.scalars.withUnsafeMutableBufferPointer { ys in
                DirectConvolution.convolve(padded: padded, inputChannels: cin, packed: packed, bias: nil, outputChannels: cout,
                                           output: ys.baseAddress! + rows.lowerBound * w, height: rows.count, width: w, outputPlane: h * w)
            }
            return y
        }
        let whole = convolve(rows: 0..<h)
        for rows in [0..<3, 3..<7, 7..<9, 4..<5] {
            let band = convolve(rows: rows)
            for co in 0..<cout {
                for y in 0..<h {
                    for j in 0..<w {
                        if rows.contains(y) {
                            XCTAssertEqual(band[0, co, y, j], whole[0, co, y, j], "rows \(rows): (\(co), \(y), \(j))")
                        } else {
                            XCTAssertTrue(band[0, co, y, j].isNaN, "rows \(rows): (\(co), \(y), \(j)) written outside the band")
                        }
                    }
                }
            }
        }
    }

    /// Conv2d takes the direct path for this shape (Cout <= 32, W a multiple of 16): its
    /// forward matches the definition and its gradients pass the finite-difference check,
    /// border pixels included.
    func testConvolutionOnTheDirectPath() {
        XCTAssertTrue(DirectConvolution.suits(outputChannels: 6, width: 16))
        var g = SeededGenerator(seed: 4)
        let conv = Conv2d(name: "c", inputChannels: 3, outputChannels: 6, kernelSize: 3, generator: &g)
        let x = randomTensor([2, 3, 3, 16], seed: 5)
        assertClose(conv.forward(x), reference(x, weight: conv.weight.value, bias: conv.bias.value.scalars), "forward")
        assertLayerGradients(input: x, parameters: conv.parameters,
                             forward: { conv.forward($0, recording: $1) }, backward: conv.backward, "direct conv3x3")
    }

    /// The input gradient on the direct path is the adjoint of the forward: <conv(x), dy> =
    /// <x, dx> for a bias-free convolution, up to rounding.
    func testInputGradientIsTheAdjoint() {
        var g = SeededGenerator(seed: 10)
        let conv = Conv2d(name: "c", inputChannels: 5, outputChannels: 7, kernelSize: 3, generator: &g)
        conv.bias.value = Tensor(shape: [7])
        let x = randomTensor([1, 5, 4, 16], seed: 11), dy = randomTensor([1, 7, 4, 16], seed: 12)
        let y = conv.forward(x, recording: true)
        let dx = conv.backward(dy)
        let (left, right) = (weightedSum(y, dy), weightedSum(x, dx))
        XCTAssertEqual(left, right, accuracy: 1e-4 * max(1, abs(left)))
    }

    /// The weight-gradient kernel against the definition, summed in Double: blocks of output
    /// channels that are not whole (5, 2), several bands of rows (70 x 16 pixels against bands
    /// of 1,024), and gradients that add to what is there.
    func testWeightGradientMatchesTheDefinition() {
        for (cin, cout, h, w) in [(3, 5, 4, 32), (2, 2, 70, 16), (1, 4, 1, 8)] {
            let x = randomTensor([1, cin, h, w], seed: 20), dy = randomTensor([1, cout, h, w], seed: 21)
            var padded = [Float](repeating: .nan, count: DirectConvolution.paddedCount(channels: cin, height: h, width: w))
            x.scalars.withUnsafeBufferPointer { xs in
                padded.withUnsafeMutableBufferPointer { DirectConvolution.pad([(xs.baseAddress!, cin)], into: $0.baseAddress!, height: h, width: w) }
            }
            var gradient = [Float](repeating: 1, count: cout * cin * 9)
            dy.scalars.withUnsafeBufferPointer { d in
                gradient.withUnsafeMutableBufferPointer {
                    DirectConvolution.accumulateWeightGradient(padded: padded, inputChannels: cin, gradient: d.baseAddress!, outputChannels: cout,
                                                               into: $0.baseAddress!, height: h, width: w)
                }
            }
            var worst = 0.0
            for co in 0..<cout {
                for ci in 0..<cin {
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            var total = 1.0
                            for i in 0..<h {
                                for j in 0..<w {
                                    let (sy, sx) = (i + ky - 1, j + kx - 1)
                                    guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                                    total += Double(dy[0, co, i, j]) * Double(x[0, ci, sy, sx])
                                }
                            }
                            worst = max(worst, abs(total - Double(gradient[((co * cin + ci) * 3 + ky) * 3 + kx])))
                        }
                    }
                }
            }
            XCTAssertLessThan(worst, 1e-4, "Cin \(cin) Cout \(cout) \(h)x\(w)")
        }
    }

    /// The same layer through the direct path and through im2col + sgemm (a workspace with
    /// `direct: false`) gives the same output, input gradient and weight gradient up to
    /// rounding.
    func testDirectAndIm2colPathsAgree() {
        var g = SeededGenerator(seed: 30), h = SeededGenerator(seed: 30)
        let direct = Conv2d(name: "c", inputChannels: 6, outputChannels: 8, kernelSize: 3, generator: &g)
        let im2col = Conv2d(name: "c", inputChannels: 6, outputChannels: 8, kernelSize: 3, generator: &h,
                            workspace: ConvolutionWorkspace(direct: false))
        let x = randomTensor([3, 6, 5, 32], seed: 31), dy = randomTensor([3, 8, 5, 32], seed: 32)
        assertClose(direct.forward(x, recording: true), im2col.forward(x, recording: true), "forward")
        assertClose(direct.backward(dy), im2col.backward(dy), "input gradient")
        var worst: Float = 0
        for (a, b) in zip(direct.weight.gradient.scalars, im2col.weight.gradient.scalars) { worst = max(worst, abs(a - b)) }
        XCTAssertLessThan(worst, 1e-4, "weight gradient")
        XCTAssertEqual(direct.bias.gradient, im2col.bias.gradient)
    }
}
