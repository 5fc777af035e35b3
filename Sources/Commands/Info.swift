import ArgumentParser
import Foundation
import HDF5
import TrainingCore
import ZeroMQ

/// `sparseseg info`: what this machine offers the project, checked by using each library once.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the linked libraries and check that each one works on this machine.")

    @Option(help: "Size n of the n x n x n single-precision matrix product timed on OpenBLAS.")
    var gemmSize = 1024

    func run() throws {
        let zmq = ZeroMQLibrary.version
        print("libzmq     \(zmq.major).\(zmq.minor).\(zmq.patch), CURVE \(ZeroMQLibrary.has("curve") ? "available" : "MISSING")")
        let hdf5 = HDF5Library.version
        print("HDF5       \(hdf5.major).\(hdf5.minor).\(hdf5.release)")
        print("OpenBLAS   \(BLAS.configuration), \(BLAS.threads) thread(s)")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        print("machine    \(cores) core(s), \(String(format: "%.1f", memory)) GiB")

        // One timed product shows that OpenBLAS runs with a sensible kernel here.
        let n = gemmSize
        let a = [Float](repeating: 1, count: n * n), b = [Float](repeating: 0.5, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        let start = ContinuousClock.now
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(m: n, n: n, k: n, a: a, b: b, c: cp.baseAddress!)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        guard c[0] == Float(n) * 0.5 else {
            throw ValidationError("sgemm returned \(c[0]), expected \(Float(n) * 0.5)")
        }
        let gflops = 2 * Double(n * n * n) / seconds / 1e9
        print("sgemm      \(n)^3 in \(String(format: "%.1f", seconds * 1000)) ms = \(String(format: "%.1f", gflops)) GFLOP/s")
    }
}
