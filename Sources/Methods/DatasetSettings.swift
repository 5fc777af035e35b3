import Datasets
import Experiments
import Foundation

/// The `dataset:` section: a dataset file written by `sparseseg data import`/`synth`, or the
/// synthetic phantom generated in memory from its settings (bit-identical for a seed, so
/// every worker makes the same one and a job reads nothing outside its run directory).
public struct DatasetSettings: Sendable, Equatable {
    public static let path = Setting<String>("path", default: "",
                                             help: "a dataset .h5 (sparseseg data import/synth); empty = generate the phantom below in memory")
    public static let phantomCases = Setting<Int>("phantom_cases", 4...10_000, default: 50, help: "phantom: number of volumes (PROMISE12 has 50)")
    public static let phantomSeed = Setting<Int>("phantom_seed", 0...Int(Int32.max), default: 1, help: "phantom: generator seed")
    public static let imageSize = Setting<Int>("image_size", 16...1024, default: 96, help: "phantom: in-plane size S (a multiple of 2^(U-Net levels - 1))")
    public static let centralSlice = Setting<CentralSliceRule>("central_slice", default: .volumeMiddle,
                                                               help: "which slice of a training volume is labelled (paper: the middle slice)")
    public static let foldSeed = Setting<Int>("fold_seed", 0...Int(Int32.max), default: 0, help: "seed of the site-stratified fold split")

    /// The section's schema.
    public static let schema = SettingsSchema(name: "dataset", [path, phantomCases, phantomSeed, imageSize, centralSlice, foldSeed])

    public let path: String
    public let phantomCases: Int
    public let phantomSeed: UInt64
    public let imageSize: Int
    public let centralSlice: CentralSliceRule
    public let foldSeed: UInt64

    /// Reads a resolved `dataset` section.
    public init(_ r: ResolvedSettings) {
        path = r[Self.path]
        phantomCases = r[Self.phantomCases]
        phantomSeed = UInt64(r[Self.phantomSeed])
        imageSize = r[Self.imageSize]
        centralSlice = r[Self.centralSlice]
        foldSeed = UInt64(r[Self.foldSeed])
    }

    /// Opens the dataset file, or generates the phantom. With a `cacheDirectory` (the run
    /// directory), the phantom is kept there as a dataset file (written atomically, so
    /// workers racing to write it leave one complete copy) and read back by later jobs.
    public func open(cacheDirectory: URL? = nil) throws -> Dataset {
        guard path.isEmpty else { return try Dataset(contentsOf: path, rule: centralSlice) }
        let settings = PhantomSettings(cases: phantomCases, seed: phantomSeed, inPlaneSize: imageSize)
        guard let cacheDirectory else { return Dataset(cases: Phantom.generate(settings), source: "phantom", rule: centralSlice) }
        let cache = cacheDirectory.appendingPathComponent("phantom-\(phantomCases)cases-\(imageSize)px-seed\(phantomSeed).h5")
        if FileManager.default.fileExists(atPath: cache.path) { return try Dataset(contentsOf: cache.path, rule: centralSlice) }
        let cases = Phantom.generate(settings)
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        try DatasetFile.write(cases, source: "phantom", to: cache.path)
        return Dataset(cases: cases, source: "phantom", rule: centralSlice, location: cache.path)
    }

    /// The experiment's `k`-fold split of `dataset`.
    public func split(_ dataset: Dataset, folds k: Int) throws -> FoldSplit {
        try dataset.folds(k: k, seed: foldSeed)
    }
}

extension CentralSliceRule: SettingChoice {}
