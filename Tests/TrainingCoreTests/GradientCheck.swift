import SeededRandom
import XCTest

@testable import TrainingCore

/// Central finite differences of a scalar function, compared with an analytic gradient.
/// The function is evaluated in Float by the ops but reduced in Double, so a step of 1e-2 on
/// inputs of order 1 leaves a truncation and rounding error well under the tolerance.
func assertGradient(
    of f: (Tensor) -> Double, at x: Tensor, analytic: Tensor, step: Float = 1e-2, tolerance: Double = 2e-3,
    samples: Int = 80, _ label: String, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(analytic.shape, x.shape, "\(label): gradient shape", file: file, line: line)
    let scale = max(1e-3, analytic.scalars.map { Double(abs($0)) }.max() ?? 0)
    let stride = max(1, x.count / samples)
    var worst = 0.0
    for i in Swift.stride(from: 0, to: x.count, by: stride) {
        var plus = x, minus = x
        plus.scalars[i] += step
        minus.scalars[i] -= step
        let numeric = (f(plus) - f(minus)) / Double(2 * step)
        worst = max(worst, abs(numeric - Double(analytic.scalars[i])) / scale)
    }
    XCTAssertLessThan(worst, tolerance, "\(label): worst relative gradient error \(worst)", file: file, line: line)
}

/// sum(weights * y) in Double: the scalar a layer's gradient is checked against.
func weightedSum(_ y: Tensor, _ weights: Tensor) -> Double {
    precondition(y.shape == weights.shape)
    var total = 0.0
    for i in 0..<y.count { total += Double(y.scalars[i]) * Double(weights.scalars[i]) }
    return total
}

func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor.normal(shape: shape, std: std, generator: &g)
}

/// Checks input and parameter gradients of a layer through `forward` / `backward` closures.
func assertLayerGradients(
    input x: Tensor, parameters: [Parameter], forward: (Tensor, Bool) -> Tensor, backward: (Tensor) -> Tensor,
    step: Float = 1e-2, tolerance: Double = 2e-3, _ label: String, file: StaticString = #filePath, line: UInt = #line
) {
    let y = forward(x, true)
    let dy = randomTensor(y.shape, seed: 99)
    for p in parameters { p.zeroGradient() }
    let dx = backward(dy)
    assertGradient(of: { weightedSum(forward($0, false), dy) }, at: x, analytic: dx, step: step, tolerance: tolerance,
                   "\(label) input", file: file, line: line)
    for p in parameters {
        let saved = p.value
        assertGradient(of: { v in
            p.value = v
            defer { p.value = saved }
            return weightedSum(forward(x, false), dy)
        }, at: saved, analytic: p.gradient, step: step, tolerance: tolerance, "\(label) \(p.name)", file: file, line: line)
    }
}
