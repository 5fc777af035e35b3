import Foundation
import HDF5
import XCTest

/// A run directory built by hand in a temporary folder, file by file as docs/run-directory.md
/// describes them. Removed by `remove()`.
struct RunFixture {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("reports-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        let file = path(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func writeJSON(_ relative: String, _ object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try write(relative, String(decoding: data, as: UTF8.self))
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: path(relative)), as: UTF8.self)
    }

    /// A case row; `nil` metrics are written as JSON null.
    static func row(_ id: String, dice: Double?, iou: Double? = nil, assd: Double?, ravd: Double?, flags: [String] = [], site: String = "S1") -> [String: Any] {
        [
            "case": id, "site": site, "dice": dice ?? NSNull(), "iou": (iou ?? dice.map { $0 / (2 - $0) }) ?? NSNull(),
            "assd": assd ?? NSNull(), "assd_pooled": assd ?? NSNull(), "ravd": ravd ?? NSNull(), "hd95": assd.map { $0 * 3 } ?? NSNull(),
            "flags": flags,
        ]
    }

    func writeMetrics(_ method: String, fold: Int, seed: Int = 7, cases: [[String: Any]], status: String = "completed", reasons: [String] = [],
                      wall: Double = 60, steps: Int = 600, worker: String = "node1") throws {
        try writeJSON("jobs/\(method)/fold\(fold)/seed\(seed)/metrics.json", [
            "method": method, "fold": fold, "seed": seed, "status": status, "reasons": reasons,
            "timing": ["wall_seconds": wall, "steps": steps, "steps_per_second": Double(steps) / wall, "worker": worker],
            "cases": cases,
        ])
    }

    /// jobs.json with every (method, fold) once per seed.
    func writeJobs(_ jobs: [(String, Int)], seeds: [Int] = [7]) throws {
        try writeJSON("jobs.json", ["jobs": jobs.flatMap { job in
            seeds.map { ["id": "\(job.0)/fold\(job.1)/seed\($0)", "method": job.0, "fold": job.1, "seed": $0] }
        }])
    }

    func writeFolds(_ tests: [[String]]) throws {
        try writeJSON("folds.json", ["folds": tests.enumerated().map { ["fold": $0.offset, "train": [String](), "test": $0.element] }])
    }

    /// figure_slices.h5 for one job: per case a `size` x `size` ramp image, a reference square
    /// and a predicted square, each given as (y0, x0, side).
    func writeFigureSlices(_ method: String, fold: Int, seed: Int = 7, size: Int,
                           cases: [(id: String, slice: Int, reference: (Int, Int, Int), prediction: (Int, Int, Int))]) throws {
        let file = path("jobs/\(method)/fold\(fold)/seed\(seed)/figure_slices.h5")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        func square(_ s: (Int, Int, Int)) -> [UInt8] {
            (0..<(size * size)).map { i in
                let (y, x) = (i / size, i % size)
                return (s.0..<(s.0 + s.2)).contains(y) && (s.1..<(s.1 + s.2)).contains(x) ? 1 : 0
            }
        }
        try HDF5File.writeAtomically(to: file.path) { root in
            for c in cases {
                let group = try root.createGroup(c.id)
                try group.write("image", (0..<(size * size)).map { Float($0 % size) }, shape: [size, size])
                try group.write("reference", square(c.reference), shape: [size, size])
                try group.write("prediction", square(c.prediction), shape: [size, size])
                try group.setAttribute("slice", c.slice)
            }
        }
    }
}

/// Splits CSV text into records of fields (quoted fields with commas, doubled quotes and line
/// breaks included): an independent reader for the writer's output.
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var quoted = false, i = 0
    let characters = Array(text)
    while i < characters.count {
        let c = characters[i]
        if quoted {
            if c == "\"" {
                if i + 1 < characters.count && characters[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            record.append(field); field = ""
        } else if c == "\n" {
            record.append(field); records.append(record); record = []; field = ""
        } else {
            field.append(c)
        }
        i += 1
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

/// CSV records as dictionaries keyed by the header.
func csvDictionaries(_ text: String) -> [[String: String]] {
    let records = parseCSV(text)
    guard let header = records.first else { return [] }
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}
