import ArgumentParser
import Datasets
import Foundation
import SeededRandom

/// `sparseseg bench data`: the phantom's generation speed, against references timed in the
/// same run (one Gaussian draw per voxel; a full sort for the percentile normalisation).
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Time phantom generation and percentile normalisation.")

    @Option(help: "Number of phantom cases.")
    var cases = 50

    @Option(help: "In-plane size S.")
    var size = 96

    func run() throws {
        let start = ContinuousClock.now
        let generated = Phantom.generate(PhantomSettings(cases: cases, seed: 1, inPlaneSize: size))
        let generation = (ContinuousClock.now - start) / .seconds(1)
        let voxels = generated.map(\.image.voxels.count).reduce(0, +)

        // Reference: one normal draw per voxel, the cheapest thing a generator must do.
        var rng = SeededGenerator(seed: 2)
        var sink: Float = 0
        let drawStart = ContinuousClock.now
        for _ in 0..<voxels { sink += rng.normal() }
        let draws = (ContinuousClock.now - drawStart) / .seconds(1)

        let largest = generated.max { $0.image.voxels.count < $1.image.voxels.count }!.image.voxels
        let selectStart = ContinuousClock.now
        let bounds = Preprocessing.percentiles(largest, [0.5, 99.5])
        let selection = (ContinuousClock.now - selectStart) / .seconds(1)
        let sortStart = ContinuousClock.now
        let sorted = largest.sorted()
        let sorting = (ContinuousClock.now - sortStart) / .seconds(1)

        func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
        print("phantom    \(cases) cases of \(size) x \(size) (all cores): \(String(format: "%.2f s", generation)), \(ms(generation / Double(cases))) per case, \(String(format: "%.1f", Double(voxels) / generation / 1e6)) Mvoxel/s")
        print("reference  one normal draw per voxel (\(voxels) voxels, one core): \(ms(draws)); phantom / reference = \(String(format: "%.1f", generation / draws))")
        print("percentile 0.5 and 99.5 of \(largest.count) voxels by selection: \(ms(selection)); full sort: \(ms(sorting)); sort / selection = \(String(format: "%.1f", sorting / selection))")
        // Keeps the optimiser from dropping the timed work.
        if sink.isNaN || bounds[0] > sorted[sorted.count - 1] { print("unexpected") }
    }
}
