import Foundation
import SeededRandom

/// One measured case of ``CoreBenchmark``.
public struct CoreBenchmarkResult: Sendable {
    /// `unet128-train`, `unet256-train`, `reg128-train` or `unet128-infer`.
    public var name: String
    /// The OpenBLAS thread count.
    public var threads: Int
    /// Median milliseconds per step.
    public var milliseconds: Double
    /// The fastest step, milliseconds: the least disturbed on a shared machine, for comparing
    /// two builds run one after the other.
    public var bestMilliseconds: Double
    /// Convolution FLOPs per step, in GFLOP (a training step counts 3x the forward: forward,
    /// input gradient and weight gradient, as PyTorch's profiler counts them).
    public var gigaflop: Double
    /// gigaflop / seconds per step.
    public var gigaflopsPerSecond: Double { gigaflop / (milliseconds / 1000) }
    /// GFLOP/s of a plain 2048^3 sgemm at the same thread count: the median of one sgemm
    /// timed after each step of the case.
    public var sgemmGigaflopsPerSecond: Double
    /// gigaflopsPerSecond / sgemmGigaflopsPerSecond.
    public var ratio: Double { gigaflopsPerSecond / sgemmGigaflopsPerSecond }
    /// GFLOP/s of the fastest reference sgemm of the case.
    public var bestSgemmGigaflopsPerSecond: Double
    /// The fastest step's GFLOP/s over the fastest reference's.
    public var bestRatio: Double { gigaflop / (bestMilliseconds / 1000) / bestSgemmGigaflopsPerSecond }
    /// The peak resident set size while this case ran, MiB.
    public var peakRSSMiB: Double

    /// One JSON object on one line.
    public var json: String {
        String(format: "{\"name\":\"%@\",\"threads\":%d,\"ms\":%.2f,\"gflop\":%.3f,\"gflops\":%.2f,\"sgemm_gflops\":%.2f,\"ratio\":%.3f,\"best_ms\":%.2f,\"best_ratio\":%.3f,\"peak_rss_mib\":%.1f}",
               name, threads, milliseconds, gigaflop, gigaflopsPerSecond, sgemmGigaflopsPerSecond, ratio, bestMilliseconds, bestRatio, peakRSSMiB)
    }

    /// A human-readable line.
    public var line: String {
        String(format: "%-14@ threads %d  %9.1f ms/step  %7.2f GFLOP  %7.1f GFLOP/s  = %.3f x sgemm-2048 (%.1f GFLOP/s)  best %.1f ms, %.3f x  peak RSS %.0f MiB",
               name, threads, milliseconds, gigaflop, gigaflopsPerSecond, ratio, sgemmGigaflopsPerSecond, bestMilliseconds, bestRatio, peakRSSMiB)
    }
}

/// The training-core benchmark of `sparseseg bench core`: full training steps (forward,
/// backward, Adam) of the U-Net at 4 x 1 x 128 x 128 and 4 x 1 x 256 x 256 and of the
/// registration net at 4 x 2 x 128 x 128, and U-Net inference at 4 x 1 x 128 x 128, each at the
/// given thread counts, with a 2048^3 sgemm measured in the same run as the reference.
public enum CoreBenchmark {
    /// The case names, in the order they run.
    public static let caseNames = ["unet128-train", "unet256-train", "reg128-train", "unet128-infer"]

    /// Runs the cases (all by default) at each thread count; `steps` timed steps per case
    /// after one warm-up step, each followed by a timed 2048^3 sgemm, so that the case and its
    /// reference see the same load on a shared machine. Calls `report` as each result is ready.
    public static func run(threads: [Int] = [1, 2], steps: Int = 5, cases: [String] = caseNames,
                           report: (CoreBenchmarkResult) -> Void) {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        let reference = SgemmReference(size: 2048)
        for t in threads {
            BLAS.threads = t
            for name in cases {
                resetPeakRSS()
                let (times, sgemmTimes, gflop) = measure(name, steps: steps, reference: reference)
                let gflops = { (ms: Double) in reference.flop / (ms / 1000) / 1e9 }
                report(CoreBenchmarkResult(name: name, threads: t, milliseconds: median(times), bestMilliseconds: times.min()!, gigaflop: gflop,
                                           sgemmGigaflopsPerSecond: gflops(median(sgemmTimes)), bestSgemmGigaflopsPerSecond: gflops(sgemmTimes.min()!),
                                           peakRSSMiB: peakRSSMiB()))
            }
        }
    }

    /// The ms of each step and of each reference sgemm, and the GFLOP per step.
    private static func measure(_ name: String, steps: Int, reference: SgemmReference) -> (times: [Double], sgemmTimes: [Double], gflop: Double) {
        var times: [Double] = [], sgemmTimes: [Double] = []
        let gflop = measureCase(name) { body in
            body()
            for _ in 0..<max(1, steps) {
                times.append(milliseconds(body))
                sgemmTimes.append(reference.milliseconds())
            }
        }
        return (times, sgemmTimes, gflop)
    }

    /// Builds the case, hands its step to `time` and returns its GFLOP per step.
    private static func measureCase(_ name: String, time: (() -> Void) -> Void) -> Double {
        switch name {
        case "unet128-train", "unet256-train":
            let size = name == "unet128-train" ? 128 : 256
            let net = UNet(seed: 1)
            let adam = Adam(parameters: net.parameters, learningRate: 1e-4)
            let (images, labels) = syntheticBatch(batch: 4, size: size)
            time { net.trainStep(images: images, labels: labels, optimiser: adam) }
            return 3 * net.forwardFLOPs(batch: 4, height: size, width: size) / 1e9
        case "unet128-infer":
            let net = UNet(seed: 1)
            net.setTraining(false)
            let (images, _) = syntheticBatch(batch: 4, size: 128)
            time { _ = Softmax.forward(net.forward(images)) }
            return net.forwardFLOPs(batch: 4, height: 128, width: 128) / 1e9
        case "reg128-train":
            let net = RegistrationNet(seed: 1)
            let adam = Adam(parameters: net.parameters, learningRate: 1e-4)
            let (moving, _) = syntheticBatch(batch: 4, size: 128, seed: 2)
            let (fixed, _) = syntheticBatch(batch: 4, size: 128, seed: 3)
            time {
                let flow = net.forward(moving: moving, fixed: fixed, recording: true)
                let warped = Warp.bilinear(moving, flow: flow)
                let sim = Losses.meanSquaredError(warped, fixed), smooth = Losses.flowSmoothness(flow)
                net.zeroGradients()
                net.backward(Ops.add(Warp.bilinearBackward(sim.gradient, image: moving, flow: flow).flow, Ops.scale(smooth.gradient, by: 0.01)))
                adam.step()
            }
            return 3 * net.forwardFLOPs(batch: 4, height: 128, width: 128) / 1e9
        default:
            preconditionFailure("CoreBenchmark: unknown case \(name); known: \(caseNames)")
        }
    }

    private static func milliseconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// C = A B with n x n Float32 matrices: the reference every case is compared with. Its
    /// three matrices (48 MiB at n = 2048) stay allocated for the whole run, so that their
    /// allocation does not disturb the cases; they count in every case's peak RSS.
    final class SgemmReference {
        let n: Int
        private let a: [Float], b: [Float]
        private var c: [Float]

        init(size n: Int) {
            self.n = n
            a = (0..<n * n).map { Float($0 % 17) * 0.01 - 0.08 }
            b = (0..<n * n).map { Float($0 % 13) * 0.01 - 0.06 }
            c = [Float](repeating: 0, count: n * n)
        }

        var flop: Double { 2 * Double(n) * Double(n) * Double(n) }

        /// Times one product, then parks OpenBLAS's threads, which would otherwise spin beside
        /// the next step (a training job never calls OpenBLAS on more than one thread).
        func milliseconds() -> Double {
            defer { BLAS.parkThreads() }
            return CoreBenchmark.milliseconds {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemm(m: n, n: n, k: n, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Noisy disks and their masks, as a segmentation batch `[B, 1, S, S]` and labels `[B*S*S]`.
    static func syntheticBatch(batch: Int, size: Int, seed: UInt64 = 1) -> (Tensor, [Int32]) {
        var g = SeededGenerator(seed: seed)
        var images = Tensor(shape: [batch, 1, size, size])
        var labels = [Int32](repeating: 0, count: batch * size * size)
        for b in 0..<batch {
            let (cy, cx, r) = (Float(size) * (0.3 + 0.4 * g.uniform()), Float(size) * (0.3 + 0.4 * g.uniform()), Float(size) * (0.1 + 0.15 * g.uniform()))
            for y in 0..<size {
                for x in 0..<size {
                    let inside = (Float(y) - cy) * (Float(y) - cy) + (Float(x) - cx) * (Float(x) - cx) < r * r
                    images[b, 0, y, x] = (inside ? 0.7 : 0.3) + 0.1 * g.normal()
                    labels[(b * size + y) * size + x] = inside ? 1 : 0
                }
            }
        }
        return (images, labels)
    }

    /// Peak resident set size of this process (VmHWM), MiB.
    public static func peakRSSMiB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kib / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Resets the kernel's peak-RSS mark to the current RSS (Linux: "5" to
    /// /proc/self/clear_refs), so that each case reports its own peak over what the process
    /// already holds (heap that earlier cases freed may stay resident); a no-op where unsupported.
    static func resetPeakRSS() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}
