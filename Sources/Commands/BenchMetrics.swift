import ArgumentParser
import Foundation
import Metrics
import VoxelGeometry

/// `sparseseg bench metrics`: every metric on a pair of 320 x 320 x 40 masks (two offset
/// ellipsoids, spacing 0.6 x 0.6 x 3.6 mm), timed as the median of several runs.
///
/// The reference measured in the same run is one pass over the voxels of both masks (the
/// overlap counts), the floor of any metric, so the times are also printed as multiples of it.
/// benchmarks/metrics_medpy.py times medpy on exactly this pair.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Time ASSD, HD95 and all metrics on two 320 x 320 x 40 ellipsoid masks.")

    @Flag(help: "One JSON object per line: name (assd, hd95, all) and ms.")
    var json = false

    @Option(help: "Timed runs per measurement; the median is reported.")
    var runs = 9

    /// medpy 0.5.2's times on such a pair on this kind of machine, quoted by issue 5.
    private static let medpyMilliseconds = ["assd": 1400.0, "hd95": 800.0]

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
    }

    func run() throws {
        let spacing = Spacing(x: 0.6, y: 0.6, z: 3.6)
        let shape = [40, 320, 320]
        let a = try BinaryVolume.ellipsoid(shape: shape, spacing: spacing, centre: (20, 160, 160), radii: (10, 45, 60))
        let b = try BinaryVolume.ellipsoid(shape: shape, spacing: spacing, centre: (21, 156, 166), radii: (9, 48, 56))

        let pass = try median { Double(OverlapCounts(prediction: a, reference: b).intersection) }
        let assd = try median { try SurfaceDistances(prediction: a, reference: b)!.assd }
        let hd95 = try median { try SurfaceDistances(prediction: a, reference: b)!.hd95 }
        let all = try median { try evaluate(prediction: a, reference: b).dice }
        let results = [("assd", assd), ("hd95", hd95), ("all", all)]

        if json {
            for (name, ms) in results {
                print(#"{"name":"\#(name)","ms":\#(String(format: "%.3f", ms))}"#)
            }
            return
        }
        // Context for the plain output only: the exact transform over the whole volume, which
        // the metrics avoid by working in the masks' bounding box.
        let border = Surface.border(of: b)
        let fullEDT = try median { DistanceTransform.squaredDistances(toForegroundOf: border)[0] }
        let m = try evaluate(prediction: a, reference: b)
        print("pair: 320 x 320 x 40, spacing \(spacing), |A| = \(a.foregroundCount), |B| = \(b.foregroundCount)")
        print("reference: one pass over both masks' voxels = \(format(pass)) ms (median of \(runs))")
        for (name, ms) in results {
            var line = "\(name.padding(toLength: 5, withPad: " ", startingAt: 0)) \(format(ms)) ms = "
                + String(format: "%.1f", ms / pass) + " voxel passes"
            if let medpy = Self.medpyMilliseconds[name] {
                line += String(format: ", %.0fx faster than medpy's %.0f ms", medpy / ms, medpy)
            }
            print(line)
        }
        print("(exact EDT of the whole 4.1 M voxel volume, not used by the metrics: \(format(fullEDT)) ms)")
        print(
            "values: dice \(m.dice) iou \(m.iou) assd \(m.assd!) assd_pooled \(m.assdPooled!) ravd \(m.ravd!) hd95 \(m.hd95!)")
    }

    /// Median wall time in milliseconds of `runs` calls, after one untimed warm-up call.
    private func median(_ body: () throws -> Double) throws -> Double {
        var sink = try body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            sink += try body()
            times.append((ContinuousClock.now - start) / .milliseconds(1))
        }
        // The results feed a check so that the optimiser cannot drop the work being timed.
        guard sink.isFinite else { throw ValidationError("benchmark produced a non-finite value") }
        return times.sorted()[times.count / 2]
    }

    private func format(_ ms: Double) -> String { String(format: "%.2f", ms) }
}
