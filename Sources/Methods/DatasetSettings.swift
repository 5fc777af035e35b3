import Datasets
import Experiments
import Foundation

/// The `dataset:` section: a dataset file written by `sparseseg data import`/`synth`, or the
/// synthetic phantom generated in memory from its settings (bit-identical for a seed, so
/// every worker makes the same one and a job reads nothing outside its run directory).
public struct DatasetSettings: Sendable, Equatable {
    public static let schema = SettingsSchema(name: "dataset", specs: [
        SettingSpec("path", .string, default: .string(""),
                    help: "a dataset .h5 (sparseseg data import/synth); empty = generate the phantom below in memory"),
        SettingSpec("phantom_cases", .int(4...10_000), default: .int(50), help: "phantom: number of volumes (PROMISE12 has 50)"),
        SettingSpec("phantom_seed", .int(0...Int(Int32.max)), default: .int(1), help: "phantom: generator seed"),
        SettingSpec("image_size", .int(16...1024), default: .int(96), help: "phantom: in-plane size S (a multiple of 2^(U-Net levels - 1))"),
        SettingSpec("central_slice", .choice(CentralSliceRule.allCases.map(\.rawValue)), default: .string(CentralSliceRule.volumeMiddle.rawValue),
                    help: "which slice of a training volume is labelled (paper: the middle slice)"),
        SettingSpec("fold_seed", .int(0...Int(Int32.max)), default: .int(0), help: "seed of the site-stratified fold split"),
    ])

    public let path: String
    public let phantomCases: Int
    public let phantomSeed: UInt64
    public let imageSize: Int
    public let centralSlice: CentralSliceRule
    public let foldSeed: UInt64

    /// Reads resolved `dataset` settings.
    public init(_ values: [String: SettingValue]) {
        let r = SettingsReader(schema: Self.schema, values: values)
        path = r.string("path")
        phantomCases = r.int("phantom_cases")
        phantomSeed = UInt64(r.int("phantom_seed"))
        imageSize = r.int("image_size")
        centralSlice = CentralSliceRule(rawValue: r.string("central_slice")) ?? .volumeMiddle
        foldSeed = UInt64(r.int("fold_seed"))
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
