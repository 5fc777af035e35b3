import XCTest

@testable import TrainingCore

final class ElementwiseTests: XCTestCase {
    func testConcatAndSplitAreInverse() {
        let a = randomTensor([2, 1, 2, 3], seed: 50), b = randomTensor([2, 3, 2, 3], seed: 51)
        let c = Ops.concatChannels([a, b])
        XCTAssertEqual(c.shape, [2, 4, 2, 3])
        XCTAssertEqual(c[1, 0, 1, 2], a[1, 0, 1, 2])
        XCTAssertEqual(c[1, 2, 0, 1], b[1, 1, 0, 1])
        let parts = Ops.splitChannels(c, [1, 3])
        XCTAssertEqual(parts, [a, b])
    }

    func testConcatGradient() {
        let a = randomTensor([2, 2, 2, 2], seed: 52), b = randomTensor([2, 1, 2, 2], seed: 53)
        let w = randomTensor([2, 3, 2, 2], seed: 54)
        let (da, db) = (Ops.splitChannels(w, [2, 1])[0], Ops.splitChannels(w, [2, 1])[1])
        assertGradient(of: { weightedSum(Ops.concatChannels([$0, b]), w) }, at: a, analytic: da, "concat first")
        assertGradient(of: { weightedSum(Ops.concatChannels([a, $0]), w) }, at: b, analytic: db, "concat second")
    }

    func testArithmeticGradients() {
        let a = randomTensor([2, 3], seed: 55), b = randomTensor([2, 3], seed: 56), w = randomTensor([2, 3], seed: 57)
        assertGradient(of: { weightedSum(Ops.add($0, b), w) }, at: a, analytic: w, "add")
        assertGradient(of: { weightedSum(Ops.subtract(a, $0), w) }, at: b, analytic: Ops.scale(w, by: -1), "subtract")
        let (da, db) = Ops.multiplyBackward(w, a, b)
        assertGradient(of: { weightedSum(Ops.multiply($0, b), w) }, at: a, analytic: da, "multiply a")
        assertGradient(of: { weightedSum(Ops.multiply(a, $0), w) }, at: b, analytic: db, "multiply b")
        assertGradient(of: { weightedSum(Ops.scale($0, by: 2.5), w) }, at: a, analytic: Ops.scale(w, by: 2.5), "scale")
        // Clamp: inputs away from the bounds +-0.5.
        let c = Ops.map(a) { abs(abs($0) - 0.5) < 0.05 ? $0 + 0.1 : $0 }
        assertGradient(of: { weightedSum(Ops.clamp($0, -0.5, 0.5), w) }, at: c, analytic: Ops.clampBackward(w, c, -0.5, 0.5), "clamp")
        assertGradient(of: { Double(Ops.mean($0)) }, at: a, analytic: Tensor(shape: a.shape, repeating: 1 / 6), "mean")
        assertGradient(of: { Double(Ops.sum($0)) }, at: a, analytic: Tensor(shape: a.shape, repeating: 1), "sum")
        let m = randomTensor([2, 3, 2, 2], seed: 58)
        let wm = randomTensor([2, 1, 2, 2], seed: 59)
        let dm = Ops.concatChannels([wm, wm, wm]).scalars.map { $0 / 3 }
        assertGradient(of: { weightedSum(Ops.meanChannels($0), wm) }, at: m, analytic: Tensor(shape: m.shape, scalars: dm), "meanChannels")
    }

    func testClampAndSign() {
        let a = Tensor(shape: [4], scalars: [-2, -0.1, 0, 3])
        XCTAssertEqual(Ops.clamp(a, 0, 1).scalars, [0, 0, 0, 1])
        XCTAssertEqual(Ops.sign(a).scalars, [-1, -1, 0, 1])
    }

    /// map and zip on a tensor large enough to be split into blocks across threads give the
    /// elementwise results (the 2-thread path, a closure run on a helper thread).
    func testLargeMapAndZipOnTwoThreads() {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        BLAS.threads = 2
        let a = randomTensor([3, 5, 100, 101], seed: 1), b = randomTensor([3, 5, 100, 101], seed: 2)
        let offset: Float = 0.25
        let mapped = Ops.map(a) { $0 * 3 + offset }, zipped = Ops.zip(a, b) { $0 * $1 - offset }
        XCTAssertGreaterThan(a.count, 4 * (1 << 15), "several blocks")
        for i in 0..<a.count {
            guard mapped.scalars[i] == a.scalars[i] * 3 + offset, zipped.scalars[i] == a.scalars[i] * b.scalars[i] - offset else {
                return XCTFail("element \(i)")
            }
        }
    }
}
