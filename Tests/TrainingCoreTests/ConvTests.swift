import SeededRandom
import XCTest

@testable import TrainingCore

final class ConvTests: XCTestCase {
    func testThreeByThreeForwardByHand() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2d(name: "c", inputChannels: 1, outputChannels: 1, kernelSize: 3, generator: &g)
        // Kernel [[0,1,0],[1,2,1],[0,1,0]] with bias 0.5 on a 3x3 image 1...9.
        conv.weight.value = Tensor(shape: [1, 1, 3, 3], scalars: [0, 1, 0, 1, 2, 1, 0, 1, 0])
        conv.bias.value = Tensor(shape: [1], scalars: [0.5])
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = conv.forward(x)
        // Corner (0,0): 2*1 + 2 (right) + 4 (below) + 0.5 = 8.5; centre: 2*5 + 2 + 4 + 6 + 8 + 0.5 = 30.5.
        let expected: [Float] = [8.5, 13.5, 14.5, 21.5, 30.5, 29.5, 26.5, 37.5, 32.5]
        XCTAssertEqual(y.scalars, expected)
    }

    func testOneByOneForwardByHand() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2d(name: "c", inputChannels: 2, outputChannels: 1, kernelSize: 1, generator: &g)
        conv.weight.value = Tensor(shape: [1, 2, 1, 1], scalars: [2, -1])
        conv.bias.value = Tensor(shape: [1], scalars: [1])
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 4, 3, 5])
        // 2*1 - 1*3 + 1 and 2*4 - 1*5 + 1.
        let expected: [Float] = [0, 4]
        XCTAssertEqual(conv.forward(x).scalars, expected)
    }

    func testThreeByThreeGradientsOddSizes() {
        var g = SeededGenerator(seed: 2)
        let conv = Conv2d(name: "c", inputChannels: 3, outputChannels: 4, kernelSize: 3, generator: &g)
        assertLayerGradients(input: randomTensor([2, 3, 5, 7], seed: 3), parameters: conv.parameters,
                             forward: { conv.forward($0, recording: $1) }, backward: conv.backward, "conv3x3")
    }

    func testChunkedRowsMatchWholePlanes() {
        // One row of columns is 27 x 7 = 189 floats > 100,
        // so each chunk is one row; the results must match the unchunked convolution
        // up to summation order, and the gradients must pass the finite-difference check.
        var g = SeededGenerator(seed: 11)
        let chunked = Conv2d(name: "c", inputChannels: 3, outputChannels: 4, kernelSize: 3, generator: &g,
                             workspace: ConvolutionWorkspace(chunkFloats: 100, minimumColumns: 1))
        var h = SeededGenerator(seed: 11)
        let whole = Conv2d(name: "c", inputChannels: 3, outputChannels: 4, kernelSize: 3, generator: &h)
        let x = randomTensor([2, 3, 5, 7], seed: 12)
        let (a, b) = (chunked.forward(x), whole.forward(x))
        for i in 0..<a.count { XCTAssertEqual(a.scalars[i], b.scalars[i], accuracy: 1e-5) }
        assertLayerGradients(input: x, parameters: chunked.parameters,
                             forward: { chunked.forward($0, recording: $1) }, backward: chunked.backward, "conv3x3 chunked")
    }

    func testOneByOneGradients() {
        var g = SeededGenerator(seed: 4)
        let conv = Conv2d(name: "c", inputChannels: 5, outputChannels: 3, kernelSize: 1, generator: &g)
        assertLayerGradients(input: randomTensor([2, 5, 3, 4], seed: 5), parameters: conv.parameters,
                             forward: { conv.forward($0, recording: $1) }, backward: conv.backward, "conv1x1")
    }

    func testSinglePixelImageIsAllPadding() {
        var g = SeededGenerator(seed: 6)
        let conv = Conv2d(name: "c", inputChannels: 2, outputChannels: 2, kernelSize: 3, generator: &g)
        assertLayerGradients(input: randomTensor([1, 2, 1, 1], seed: 7), parameters: conv.parameters,
                             forward: { conv.forward($0, recording: $1) }, backward: conv.backward, "conv3x3 1x1 image")
    }

    func testParametersOnlyBackwardMatchesFullBackward() {
        var g = SeededGenerator(seed: 8)
        let conv = Conv2d(name: "c", inputChannels: 2, outputChannels: 3, kernelSize: 3, generator: &g)
        let x = randomTensor([2, 2, 4, 4], seed: 9), dy = randomTensor([2, 3, 4, 4], seed: 10)
        _ = conv.forward(x, recording: true)
        _ = conv.backward(dy)
        let full = conv.weight.gradient
        conv.zeroGradients()
        _ = conv.forward(x, recording: true)
        conv.backwardParametersOnly(dy)
        XCTAssertEqual(conv.weight.gradient, full)
    }

    /// A convolution of input parts is the convolution of their concatenation, to the bit,
    /// and its backward is the split of the concatenation's gradient (3x3 through im2col; 1x1,
    /// which takes im2col's path for parts; 3x3 on a width of 32, which runs direct).
    ///
    /// The input gradient through sgemm is one product per part (rows = the part's channels),
    /// and OpenBLAS may round the rows of a 2-row and a 5-row product differently (its AVX2
    /// kernels do, by up to 7e-7 here): there it is checked to 1e-6, elsewhere to the bit.
    func testConcatenatedPartsMatchTheConcatenation() {
        for (kernel, width) in [(3, 6), (1, 6), (3, 32)] {
            var g = SeededGenerator(seed: 20)
            let conv = Conv2d(name: "c", inputChannels: 5, outputChannels: 3, kernelSize: kernel, generator: &g)
            let a = randomTensor([2, 2, 5, width], seed: 21), b = randomTensor([2, 3, 5, width], seed: 22)
            let dy = randomTensor([2, 3, 5, width], seed: 23)
            let whole = conv.forward(Ops.concatChannels([a, b]), recording: true)
            let split = Ops.splitChannels(conv.backward(dy), [2, 3])
            let wholeGradient = conv.weight.gradient
            conv.zeroGradients()
            XCTAssertEqual(conv.forward(concatenating: [a, b], recording: true), whole, "k\(kernel) w\(width)")
            let parts = conv.backward(parts: dy)
            if width % DirectConvolution.tileWidth == 0 {
                XCTAssertEqual(parts, split, "k\(kernel) w\(width)")
            } else {
                XCTAssertEqual(parts.map(\.shape), split.map(\.shape))
                for (part, whole) in zip(parts, split) {
                    XCTAssertLessThan(zip(part.scalars, whole.scalars).map { abs($0 - $1) }.max()!, 1e-6, "k\(kernel) w\(width)")
                }
            }
            XCTAssertEqual(conv.weight.gradient, wholeGradient, "k\(kernel) w\(width)")
        }
    }
}
