import XCTest

@testable import TrainingCore

/// The OpenBLAS wrapper: sgemm's row-major conventions and the thread pool's parking.
final class BLASTests: XCTestCase {
    /// C = A B for 300 x 300 matrices of small integers (exact in Float) against the sum by
    /// hand, on two OpenBLAS threads, before and after the pool is parked: parking stops its
    /// threads and the next multi-threaded product starts them again.
    func testProductsStayExactAcrossParking() {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        BLAS.threads = 2
        let n = 300
        let a = (0..<n * n).map { Float($0 % 7) - 3 }, b = (0..<n * n).map { Float($0 % 5) - 2 }
        var expected = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                for j in 0..<n { expected[i * n + j] += a[i * n + k] * b[k * n + j] }
            }
        }
        for round in 0..<3 {
            var c = [Float](repeating: .nan, count: n * n)
            c.withUnsafeMutableBufferPointer { BLAS.sgemm(m: n, n: n, k: n, a: a, b: b, c: $0.baseAddress!) }
            XCTAssertEqual(c, expected, "round \(round)")
            BLAS.parkThreads()
        }
    }
}
