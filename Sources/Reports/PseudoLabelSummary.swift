import Foundation

/// The pseudo-label quality of one method pooled over its folds: voxel counts summed over the
/// folds' pseudo_labels.json files, then turned into Dice, precision and recall.
public struct PseudoLabelSummary: Sendable, Equatable {
    /// Folds whose pseudo_labels.json was read (for one seed or more), ascending.
    public let folds: [Int]
    /// Jobs (fold x seed) whose pseudo_labels.json was read.
    public let jobs: Int
    /// Per kind (`y_semi`, `y_ssl`, `y_final`): counts over all unlabelled training slices.
    public let overall: [String: VoxelCounts]
    /// Per kind: counts by distance from the central slice.
    public let byDistance: [String: [Int: VoxelCounts]]

    private static let kindLabels = ["y_semi": "y_SEMI", "y_ssl": "y_SSL", "y_final": "y_final"]

    /// Reads and pools the pseudo_labels.json files of `method`'s completed jobs; nil when none
    /// has one.
    public static func load(_ run: RunDirectory, method: String) throws -> PseudoLabelSummary? {
        var folds: [Int] = [], jobs = 0
        var overall: [String: VoxelCounts] = [:]
        var byDistance: [String: [Int: VoxelCounts]] = [:]
        let zero = VoxelCounts(tp: 0, fp: 0, fn: 0)
        for entry in run.jobs where entry.job.method == method && entry.metrics != nil {
            let url = entry.directory.appendingPathComponent("pseudo_labels.json")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let counts = try RunFileDecoder.decodeFile(PseudoLabelCounts.self, at: url)
            if !folds.contains(entry.job.fold) { folds.append(entry.job.fold) }
            jobs += 1
            for kind in PseudoLabelCounts.kinds {
                overall[kind] = (overall[kind] ?? zero) + counts.overall[kind]!
                for (distance, value) in counts.byDistance[kind] ?? [:] {
                    byDistance[kind, default: [:]][distance] = (byDistance[kind]?[distance] ?? zero) + value
                }
            }
        }
        return folds.isEmpty ? nil : PseudoLabelSummary(folds: folds.sorted(), jobs: jobs, overall: overall, byDistance: byDistance)
    }

    private static func percent(_ value: Double?) -> String { Format.fixed(value.map { $0 * 100 }, 1) }

    /// The section of table.md: overall quality, then quality by distance.
    func markdown(methodLabel: String) -> String {
        var md = "## Pseudo-label quality of \(methodLabel)\n\n"
        md += "Against the hidden masks of the unlabelled training slices (a diagnostic: training never reads them), "
        md += "voxel counts pooled over fold(s) \(folds.map(String.init).joined(separator: ", ")) (\(jobs) job(s), every seed). "
        md += "Dice = 2TP / (2TP + FP + FN), precision = TP / (TP + FP), recall = TP / (TP + FN), in %.\n\n"
        var table = TextTable(header: ["Pseudo-label", "Dice [%]", "Precision [%]", "Recall [%]", "Foreground voxels (reference)"])
        for kind in PseudoLabelCounts.kinds {
            let counts = overall[kind]!
            table.append([Self.kindLabels[kind]!, Self.percent(counts.dice), Self.percent(counts.precision), Self.percent(counts.recall), "\(counts.tp + counts.fn)"])
        }
        md += table.markdown + "\n"
        let distances = Set(byDistance.values.flatMap(\.keys)).sorted()
        if !distances.isEmpty {
            md += "By distance from the central slice (in slices; Dice / precision / recall in %):\n\n"
            var header = ["Distance"]
            for kind in PseudoLabelCounts.kinds { header.append(Self.kindLabels[kind]!) }
            var byDistanceTable = TextTable(header: header)
            for distance in distances {
                var row = ["\(distance)"]
                for kind in PseudoLabelCounts.kinds {
                    if let counts = byDistance[kind]?[distance] {
                        row.append("\(Self.percent(counts.dice)) / \(Self.percent(counts.precision)) / \(Self.percent(counts.recall))")
                    } else {
                        row.append("n/a")
                    }
                }
                byDistanceTable.append(row)
            }
            md += byDistanceTable.markdown + "\n"
        }
        return md
    }
}
