// TrainingCore: a small deep-learning core in the spirit of micrograd and llm.c. Every op is a
// forward and a backward pair; the networks compose them explicitly (no tape), so each
// gradient can be read off the code.
//
// Dimension legend (used in every shape comment of this module):
//   B     batch: slices in a mini-batch
//   C     channels; Cin / Cout for a layer's input / output
//   K     classes (2: background, prostate)
//   H, W  height (rows, y) and width (columns, x) of a slice
//   P     pixels of a batch, B * H * W
//   kh, kw  kernel height and width (3 or 1)
//
// Layout: NCHW, contiguous, row-major, x fastest:
//   index(b, c, y, x) = ((b * C + c) * H + y) * W + x
// Why NCHW rather than NHWC: a 3x3 convolution as im2col + sgemm gives
// out[b] = weight[Cout, Cin*9] * columns[Cin*9, H*W] directly in NCHW, and a 1x1 convolution is
// one sgemm on the input as it is (weight[Cout, Cin] * x[b][Cin, H*W]); BatchNorm, the two-class
// softmax, the warp and the losses then run over whole contiguous planes (one channel of one
// slice), the dataset's 2D slices ([ny, nx], x fastest) are NCHW planes without a copy, and the
// registration net's 2-channel flow field is two planes. With NHWC the 1x1 convolutions would
// also be single GEMMs, but every plane-wise op would stride by C. NHWC was not measured.

import SeededRandom

/// A dense Float32 tensor: a shape and contiguous row-major storage (last dimension fastest).
///
/// Images and activations are NCHW (`[B, C, H, W]`); see the legend at the top of Tensor.swift.
/// A value type: copies share storage until one of them is written (copy on write).
public struct Tensor: Equatable, Sendable {
    /// The extent of each dimension, slowest first.
    public private(set) var shape: [Int]
    /// The elements, row-major.
    public var scalars: [Float]

    /// A tensor of the given shape holding `scalars` (row-major).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: shape \(shape) needs \(shape.reduce(1, *)) scalars, given \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of the given shape whose every element `body` writes (no zero fill first:
    /// the hot layers write whole outputs).
    init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            body(buffer)
            initialised = count
        }
    }

    /// This tensor after `body` has updated its scalars in place through a raw pointer.
    func updatingScalars(_ body: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        var copy = self
        copy.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return copy
    }

    /// A tensor of independent N(0, std^2) draws.
    public static func normal(shape: [Int], std: Float = 1, generator: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in generator.normal() * std })
    }

    /// A tensor of independent uniform draws in [low, high).
    public static func uniform(shape: [Int], low: Float, high: Float, generator: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in low + (high - low) * generator.uniform() })
    }

    /// The number of elements.
    public var count: Int { scalars.count }
    /// B of a `[B, C, H, W]` tensor.
    public var batch: Int { shape[0] }
    /// C of a `[B, C, H, W]` tensor.
    public var channels: Int { shape[1] }
    /// H of a `[B, C, H, W]` tensor.
    public var height: Int { shape[2] }
    /// W of a `[B, C, H, W]` tensor.
    public var width: Int { shape[3] }

    /// The element at (b, c, y, x) of a 4-D tensor.
    public subscript(b: Int, c: Int, y: Int, x: Int) -> Float {
        get { scalars[((b * shape[1] + c) * shape[2] + y) * shape[3] + x] }
        set { scalars[((b * shape[1] + c) * shape[2] + y) * shape[3] + x] = newValue }
    }

    /// The same scalars seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Slices `range` of the first (batch) dimension.
    public func batchSlice(_ range: Range<Int>) -> Tensor {
        let per = count / shape[0]
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, scalars: Array(scalars[range.lowerBound * per..<range.upperBound * per]))
    }

    /// Stacks tensors of equal shape `[b_i, ...]` along the first (batch) dimension.
    public static func concatBatch(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        let tail = Array(parts[0].shape.dropFirst())
        var scalars: [Float] = []
        scalars.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            precondition(Array(part.shape.dropFirst()) == tail, "concatBatch: shape \(part.shape) does not match \(parts[0].shape)")
            scalars += part.scalars
        }
        return Tensor(shape: [parts.reduce(0) { $0 + $1.shape[0] }] + tail, scalars: scalars)
    }
}
