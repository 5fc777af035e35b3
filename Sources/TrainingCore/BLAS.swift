import COpenBLAS

/// The OpenBLAS library that every matrix product of the training core runs on.
public enum BLAS {
    /// The number of threads OpenBLAS uses for one call, and the number of threads the
    /// training core spreads bands of slices (convolutions), channels or planes (BatchNorm,
    /// pooling, upsampling) and blocks (elementwise ops, Adam) over. A worker sets it once, before training: one job
    /// with N threads, or N jobs (processes) with one thread each. The setting is process-wide
    /// and the convolutions lower it to 1 while their own threads run: train one network at a
    /// time per process.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// Stops OpenBLAS's thread pool; the next call that runs on more than one thread starts it
    /// again. After a multi-threaded call the pool's threads spin for a while (about 0.1 s)
    /// before they sleep, taking CPU time from whatever runs next.
    public static func parkThreads() {
        _ = blas_thread_shutdown_()
    }

    /// The OpenBLAS build's configuration string (version, target core, threading).
    public static var configuration: String {
        String(cString: openblas_get_config())
    }

    /// C = alpha * op(A) * op(B) + beta * C for row-major Float32 matrices, where op(A) is
    /// m x k, op(B) is k x n and C is m x n.
    ///
    /// - Parameters:
    ///   - transposeA: use A^T (A stored k x m) instead of A (stored m x k).
    ///   - transposeB: use B^T (B stored n x k) instead of B (stored k x n).
    ///   - lda, ldb, ldc: row strides of A, B and C as stored; nil for densely packed rows
    ///     (a block of a wider matrix passes the wider matrix's row length).
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda ?? (transposeA ? m : k)), b, Int32(ldb ?? (transposeB ? k : n)),
            beta, c, Int32(ldc ?? n))
    }
}
