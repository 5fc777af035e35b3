import ArgumentParser
import Datasets
import Foundation

/// `sparseseg data ...`: inspect images and datasets, import PROMISE12 or the Decathlon's
/// prostate task, generate the synthetic phantom.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, import and synthesise prostate MR datasets.",
        subcommands: [Synth.self])
}

extension DataCommand {
    /// `sparseseg data synth`: the phantom.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the synthetic T2 prostate phantom as a dataset file.")

        @Option(help: "The dataset file to write (.h5).")
        var out: String

        @Option(help: "Number of cases (case i comes from site i mod 4).")
        var cases = 50

        @Option(help: "Random seed: the same seed gives the same dataset.")
        var seed: UInt64 = 1

        @Option(help: "In-plane size S (S x S pixels per slice).")
        var size = 96

        @Option(help: "Also write a PNG montage of the first four cases here.")
        var montage: String?

        func run() throws {
            guard cases > 0, size >= 16 else { throw ValidationError("--cases must be positive and --size at least 16") }
            let start = ContinuousClock.now
            let generated = Phantom.generate(PhantomSettings(cases: cases, seed: seed, inPlaneSize: size))
            let generation = ContinuousClock.now - start
            try DatasetFile.write(generated, source: "phantom", to: out)
            if let montage { try Montage.write(Array(generated.prefix(4)), to: montage) }
            let slices = generated.map(\.image.shape.nz)
            print("wrote \(out): \(cases) phantom cases of \(size) x \(size) x \(slices.min()!)-\(slices.max()!) slices (seed \(seed)), generated in \(generation)")
        }
    }
}
