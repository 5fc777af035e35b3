import Foundation

// The label firewall. Training code receives a `TrainingView`: every slice's image of its
// training cases, but the mask of ONE slice per case (the central slice). It holds no other
// mask and has no API that reaches one: the full masks of training cases live only in
// `HiddenLabels`, made separately from the `Dataset` for diagnostics, and the full masks of
// test cases only in `TestCase`, for prediction and scoring.

/// A dataset opened for experiments: its cases in memory, the central-slice rule, and the
/// views that methods, evaluation and diagnostics may each see.
public final class Dataset: Sendable {
    private let stored: [StoredCase]
    /// Where the data came from ("phantom", "promise12", "decathlon", ...).
    public let source: String
    /// How the labelled slice of each training case is chosen.
    public let rule: CentralSliceRule
    /// The file the dataset was read from ("(in memory)" otherwise), for error messages.
    public let location: String

    /// A dataset over cases already in memory (the phantom, tests).
    public init(cases: [StoredCase], source: String, rule: CentralSliceRule = .volumeMiddle, location: String = "(in memory)") {
        stored = cases
        self.source = source
        self.rule = rule
        self.location = location
    }

    /// Opens a dataset file written by `sparseseg data import` or `sparseseg data synth`.
    public convenience init(contentsOf path: String, rule: CentralSliceRule = .volumeMiddle) throws {
        let (header, cases) = try DatasetFile.read(path)
        self.init(cases: cases, source: header.source, rule: rule, location: path)
    }

    /// What may be known about every case without its masks, in dataset order.
    public var cases: [CaseInfo] { stored.map { $0.info(rule: rule) } }

    /// The case names, in dataset order.
    public var caseIDs: [String] { stored.map(\.id) }

    /// A k-fold split of the cases stratified by site.
    public func folds(k: Int = 5, seed: UInt64) throws -> FoldSplit {
        try FoldSplit.stratified(stored.map { (id: $0.id, site: $0.site) }, k: k, seed: seed)
    }

    private func lookup(_ ids: [String]) throws -> [StoredCase] {
        let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) })
        return try ids.map { id in
            guard let item = byID[id] else { throw DataError(file: location, field: "cases", message: "the split names case \(id), which the dataset does not hold") }
            return item
        }
    }

    private func checked(_ split: FoldSplit, _ fold: Int) throws {
        guard (0..<split.k).contains(fold) else {
            throw DataError(file: location, field: "fold", message: "fold \(fold) requested, the split has \(split.k)")
        }
        guard Set(split.cases) == Set(caseIDs) else {
            throw DataError(file: location, field: "cases", message: "the split was made for other cases than this dataset's")
        }
    }

    /// The training view of `fold`: images of all slices of its training cases and the mask
    /// of their central slice only.
    public func trainingView(fold: Int, of split: FoldSplit) throws -> TrainingView {
        try checked(split, fold)
        return TrainingView(fold: fold, cases: try lookup(split.trainingIDs(fold)).map { TrainingCase($0, rule: rule) })
    }

    /// The test cases of `fold`: images to predict, full reference masks on the original
    /// grid and the mapping of predictions back to it.
    public func testCases(fold: Int, of split: FoldSplit) throws -> [TestCase] {
        try checked(split, fold)
        return try lookup(split.testIDs(fold)).map { TestCase($0, rule: rule) }
    }

    /// `voxels` (a method's output, [nz, S, S] x fastest) placed on case `caseID`'s stored grid:
    /// its shape, spacing, origin and direction, so that a written file overlays the case's
    /// image. Only the grid is taken from the case, never a mask.
    public func onStoredGrid(_ caseID: String, voxels: [UInt8]) throws -> LabelVolume {
        let grid = try lookup([caseID])[0].image
        guard voxels.count == grid.shape.count else {
            throw DataError(file: location, field: "cases/\(caseID)", message: "\(voxels.count) voxels given for the stored grid \(grid.shape)")
        }
        return Volume(shape: grid.shape, spacing: grid.spacing, orientation: grid.orientation, voxels: voxels)
    }

    /// The full masks of `fold`'s training cases, for diagnostics that score pseudo-labels.
    /// Never hand these to a method's training code.
    public func hiddenLabels(fold: Int, of split: FoldSplit) throws -> HiddenLabels {
        try checked(split, fold)
        return HiddenLabels(masks: Dictionary(uniqueKeysWithValues: try lookup(split.trainingIDs(fold)).map { ($0.id, $0.label) }))
    }
}

/// The one manual mask a training case exposes: that of its central slice.
public struct CentralSliceLabel: Sendable, Equatable {
    /// The slice it belongs to.
    public let sliceIndex: Int
    /// The mask, row-major [S, S], 0 or 1.
    public let mask: [UInt8]
}

/// Two adjacent slices of one training case, for training the registration network and for
/// propagating the central mask: warp `moving` onto `fixed`.
public struct AdjacentSlicePair: Sendable, Equatable {
    /// Index of the case in ``TrainingView/cases``.
    public let caseIndex: Int
    /// The slice to warp.
    public let moving: Int
    /// The slice to warp onto (moving +- 1).
    public let fixed: Int
}

/// A training case as a method sees it: every slice's image, one labelled slice.
public struct TrainingCase: Sendable {
    /// The case's description (id, site, shape, spacing, central slice).
    public let info: CaseInfo
    /// The size of every slice.
    public let sliceSize: SliceSize
    /// The images of all slices, each row-major [S, S] in [0, 1].
    public let images: [[Float]]
    /// The central slice's mask: the only mask of this case.
    public let label: CentralSliceLabel

    init(_ item: StoredCase, rule: CentralSliceRule) {
        info = item.info(rule: rule)
        sliceSize = SliceSize(ny: item.image.shape.ny, nx: item.image.shape.nx)
        images = item.image.slices
        label = CentralSliceLabel(sliceIndex: info.centralSlice, mask: item.label.slice(info.centralSlice))
    }

    /// The indices of the slices without a mask (all but the central one).
    public var unlabelledSlices: [Int] { images.indices.filter { $0 != label.sliceIndex } }
}

/// What a method may see of a fold's training data (see the firewall note above).
public struct TrainingView: Sendable {
    /// The fold this view belongs to.
    public let fold: Int
    /// The training cases, in dataset order.
    public let cases: [TrainingCase]

    /// Every (image, mask) pair with a manual mask: one per case, its central slice.
    public var labelledSlices: [(image: [Float], mask: [UInt8])] {
        cases.map { ($0.images[$0.label.sliceIndex], $0.label.mask) }
    }

    /// Every slice without a mask, as (case index, slice index).
    public var unlabelledSlices: [(caseIndex: Int, slice: Int)] {
        cases.enumerated().flatMap { index, item in item.unlabelledSlices.map { (index, $0) } }
    }

    /// Every ordered pair of adjacent slices of every case, in both directions.
    public var adjacentPairs: [AdjacentSlicePair] {
        cases.enumerated().flatMap { index, item in
            (0..<max(item.images.count - 1, 0)).flatMap { z in
                [AdjacentSlicePair(caseIndex: index, moving: z, fixed: z + 1), AdjacentSlicePair(caseIndex: index, moving: z + 1, fixed: z)]
            }
        }
    }
}

/// A test case: what prediction needs, and the reference it is scored against.
public struct TestCase: Sendable {
    /// The case's description.
    public let info: CaseInfo
    /// The images of all slices on the stored grid, each row-major [S, S].
    public let images: [[Float]]
    /// The full reference mask on the original grid, with the original spacing and orientation:
    /// score predictions against this, in mm.
    public let reference: LabelVolume
    /// The full reference mask on the stored grid (for diagnostics on the network's grid).
    public let storedReference: LabelVolume
    /// The correspondence between the stored and the original grid.
    public let mapping: InPlaneMapping

    init(_ item: StoredCase, rule: CentralSliceRule) {
        info = item.info(rule: rule)
        images = item.image.slices
        reference = item.originalLabel
        storedReference = item.label
        mapping = item.mapping
    }

    /// Maps a predicted mask (one row-major [S, S] slice per slice) to the original grid by
    /// nearest neighbour, with the reference's spacing and orientation.
    public func predictionToOriginal(_ slices: [[UInt8]]) -> LabelVolume {
        precondition(slices.count == reference.shape.nz, "one predicted slice per slice")
        return Volume(shape: reference.shape, spacing: reference.spacing, orientation: reference.orientation,
                      voxels: slices.flatMap { mapping.maskToOriginal($0) })
    }

    /// Maps foreground probabilities (one row-major [S, S] slice per slice) to the original
    /// grid bilinearly and thresholds them at 0.5.
    public func probabilitiesToOriginal(_ slices: [[Float]]) -> LabelVolume {
        precondition(slices.count == reference.shape.nz, "one probability slice per slice")
        return Volume(shape: reference.shape, spacing: reference.spacing, orientation: reference.orientation,
                      voxels: slices.flatMap { mapping.probabilitiesToOriginal($0) })
    }
}

/// The full masks of training cases: for diagnostics that score pseudo-labels against the
/// truth, never for training. Made only by ``Dataset/hiddenLabels(fold:of:)``.
public struct HiddenLabels: Sendable {
    private let masks: [String: LabelVolume]

    init(masks: [String: LabelVolume]) { self.masks = masks }

    /// The case names covered.
    public var caseIDs: [String] { masks.keys.sorted() }

    /// The full stored-grid mask of a training case, nil if the case is not in this fold's training set.
    public func mask(of caseID: String) -> LabelVolume? { masks[caseID] }
}

extension LabelVolume {
    /// Writes the mask as NIfTI-1 (`.nii.gz` compresses), uint8, with its spacing and
    /// orientation: for predicted masks in a run directory.
    public func writeNIfTI(to path: String) throws {
        try NIfTI.write(MedicalImage(self), to: path)
    }
}
