import Datasets
import Foundation

/// Ours' pseudo-labels on the training slices of a fold: one mask per slice of each training
/// case (the central slice holds its manual mask in every set).
public struct PseudoLabelSets: Sendable {
    /// The training cases, in the order of the training view.
    public let caseIDs: [String]
    /// The central (labelled) slice of each case.
    public let centralSlices: [Int]
    /// y_SEMI, y_SSL and y_final: [case][slice] -> row-major mask (0 or 1).
    public let semi: [[[UInt8]]]
    public let ssl: [[[UInt8]]]
    public let final: [[[UInt8]]]

    public init(caseIDs: [String], centralSlices: [Int], semi: [[[UInt8]]], ssl: [[[UInt8]]], final: [[[UInt8]]]) {
        self.caseIDs = caseIDs
        self.centralSlices = centralSlices
        self.semi = semi
        self.ssl = ssl
        self.final = final
    }

    /// The sets by the names of pseudo_labels.json.
    public var named: [(name: String, masks: [[[UInt8]]])] { [("y_semi", semi), ("y_ssl", ssl), ("y_final", final)] }
}

extension PseudoLabelSets {
    /// Writes each set as NIfTI volumes, `<directory>/<set>/<case>.nii.gz` (uint8, 0 or 1), on
    /// the case's stored grid from `dataset`, so that ITK-SNAP overlays them on the exported
    /// images (`sparseseg data export --nifti`). The voxels are the method's own outputs; only
    /// the grid comes from the dataset.
    func writeNIfTI(to directory: URL, dataset: Dataset) throws {
        for (name, masks) in named {
            let folder = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (c, id) in caseIDs.enumerated() {
                // NIfTI.write writes a temporary file and renames it into place.
                try dataset.onStoredGrid(id, voxels: masks[c].flatMap { $0 }).writeNIfTI(to: folder.appendingPathComponent("\(id).nii.gz").path)
            }
        }
    }
}

/// Foreground voxel counts of a pseudo-label against the truth.
public struct VoxelTally: Sendable, Equatable, Codable {
    public var tp = 0, fp = 0, fn = 0
    public init(tp: Int = 0, fp: Int = 0, fn: Int = 0) {
        self.tp = tp
        self.fp = fp
        self.fn = fn
    }
    mutating func add(prediction: [UInt8], truth: [UInt8]) {
        for (p, t) in zip(prediction, truth) {
            if p != 0 && t != 0 { tp += 1 } else if p != 0 { fp += 1 } else if t != 0 { fn += 1 }
        }
    }
    /// 2tp / (2tp + fp + fn), nil without foreground.
    public var dice: Double? { 2 * tp + fp + fn == 0 ? nil : Double(2 * tp) / Double(2 * tp + fp + fn) }
    public var precision: Double? { tp + fp == 0 ? nil : Double(tp) / Double(tp + fp) }
    public var recall: Double? { tp + fn == 0 ? nil : Double(tp) / Double(tp + fn) }
}

/// The evaluation-only diagnostic of Ours' pseudo-labels: counts against the hidden training
/// masks over every unlabelled training slice, overall and by distance from the central
/// slice. The hidden masks come from ``Datasets/HiddenLabels``, which only the job runner
/// holds; no method ever sees them.
public enum PseudoLabelDiagnostics {
    /// Counts of one pseudo-label set.
    public struct Counts: Sendable, Equatable {
        public var overall = VoxelTally()
        public var byDistance: [Int: VoxelTally] = [:]
    }

    /// The counts of each set of `sets` against `hidden`.
    public static func counts(_ sets: PseudoLabelSets, hidden: HiddenLabels) throws -> [String: Counts] {
        var result: [String: Counts] = [:]
        for (name, masks) in sets.named {
            var counts = Counts()
            for (index, id) in sets.caseIDs.enumerated() {
                guard let truth = hidden.mask(of: id) else {
                    throw TrainingError(file: "(hidden labels)", message: "no mask for training case \(id)")
                }
                let central = sets.centralSlices[index]
                for (z, mask) in masks[index].enumerated() where z != central {
                    let truthSlice = truth.slice(z)
                    counts.overall.add(prediction: mask, truth: truthSlice)
                    counts.byDistance[abs(z - central), default: VoxelTally()].add(prediction: mask, truth: truthSlice)
                }
            }
            result[name] = counts
        }
        return result
    }

    /// pseudo_labels.json as docs/run-directory.md specifies it.
    static func json(_ counts: [String: Counts]) -> [String: Any] {
        func tally(_ t: VoxelTally) -> [String: Any] { ["tp": t.tp, "fp": t.fp, "fn": t.fn] }
        var labels: [String: Any] = [:]
        for (name, c) in counts {
            labels[name] = [
                "overall": tally(c.overall),
                "by_distance": c.byDistance.keys.sorted().map { d in tally(c.byDistance[d]!).merging(["distance": d]) { a, _ in a } },
            ]
        }
        return ["labels": labels]
    }
}
