import Foundation

// The JSON files of a run directory, as docs/run-directory.md defines them. Decoding is strict
// about what the report depends on (required keys, types, value ranges) so that a broken file
// is named with its field instead of producing a wrong table.

/// A report-time error: the file, the field inside it (if any) and what is wrong.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    /// The file at fault (a path), or the run directory itself.
    public let file: String
    /// The field inside the file, for example `cases[3].dice`, or "" for the whole file.
    public let field: String
    /// What is wrong.
    public let message: String

    /// An error about `field` of `file`.
    public init(file: String, field: String = "", message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    /// "file: field: message".
    public var description: String {
        field.isEmpty ? "\(file): \(message)" : "\(file): \(field): \(message)"
    }
}

/// One metric of a test case, as named in metrics.json and cases.csv.
public enum Metric: String, CaseIterable, Sendable {
    case dice, iou, assd
    case assdPooled = "assd_pooled"
    case ravd
    case ravdAbs = "ravd_abs"
    case hd95
    /// Diagnostic: Dice restricted to the slices whose reference contains gland.
    case diceGlandSlices = "dice_gland_slices"
    /// Diagnostic: predicted volume on the slices whose reference contains no gland, in mL.
    case falsePositiveMillilitres = "fp_ml_gland_free"
}

extension Metric {
    /// The metric's column in cases.csv (the report's, a job's and `evaluate --csv`'s). The
    /// values are metrics.json's, so Dice and IoU are fractions; the names carry the unit, since
    /// table.csv has the same metrics in percent.
    public var casesCSVColumn: String {
        switch self {
        case .dice: "dice_fraction"
        case .iou: "iou_fraction"
        case .assd: "assd_mm"
        case .assdPooled: "assd_pooled_mm"
        case .ravd: "ravd"
        case .ravdAbs: "ravd_abs"
        case .hd95: "hd95_mm"
        case .diceGlandSlices: "dice_gland_slices_fraction"
        case .falsePositiveMillilitres: "fp_ml_gland_free"
        }
    }
}

/// The scores of one test case from one job.
public struct CaseScores: Sendable, Equatable {
    /// The case id, for example "Case02".
    public var caseID: String
    /// The acquisition site, when the dataset knows it.
    public var site: String?
    /// Metric values; a metric absent from the dictionary is undefined for this case.
    public var values: [Metric: Double]
    /// Why values are undefined, for example `empty_prediction`.
    public var flags: [String]

    /// A row from its parts.
    public init(caseID: String, site: String? = nil, values: [Metric: Double], flags: [String] = []) {
        self.caseID = caseID
        self.site = site
        self.values = values
        self.flags = flags
    }

    /// The value of `metric`, or nil when it is undefined.
    public func value(_ metric: Metric) -> Double? { values[metric] }
}

/// Timing of one job, for planning cluster runs. Any field may be unknown.
public struct JobTiming: Sendable, Equatable {
    /// Wall time of the job, seconds.
    public var wallSeconds: Double?
    /// Optimiser steps taken.
    public var steps: Int?
    /// Training speed.
    public var stepsPerSecond: Double?
    /// Host name of the worker.
    public var worker: String?

    /// Timing from its parts.
    public init(wallSeconds: Double? = nil, steps: Int? = nil, stepsPerSecond: Double? = nil, worker: String? = nil) {
        self.wallSeconds = wallSeconds
        self.steps = steps
        self.stepsPerSecond = stepsPerSecond
        self.worker = worker
    }
}

/// The content of one `jobs/<method>/fold<k>/seed<s>/metrics.json`.
public struct JobMetrics: Sendable, Equatable {
    /// How a job ended.
    public enum Status: String, Sendable {
        case completed, failed
    }

    /// The method name, as in the directory.
    public var method: String
    /// The fold index, as in the directory.
    public var fold: Int
    /// The job's seed, when recorded.
    public var seed: Int?
    /// How the job ended.
    public var status: Status
    /// Why it failed (one reason per attempt), if it did.
    public var reasons: [String]
    /// Wall time, speed and worker.
    public var timing: JobTiming
    /// One row per scored test case.
    public var cases: [CaseScores]
}

/// A job the experiment expects (one entry of jobs.json).
public struct ExpectedJob: Sendable, Equatable, Hashable {
    /// The job id, for example "mt/fold0/seed1".
    public var id: String
    /// The method name.
    public var method: String
    /// The fold index.
    public var fold: Int
    /// The training seed.
    public var seed: Int

    /// A job from its parts, with the id "<method>/fold<k>/seed<s>".
    public init(method: String, fold: Int, seed: Int) {
        self.init(id: "\(method)/fold\(fold)/seed\(seed)", method: method, fold: fold, seed: seed)
    }

    /// A job from its parts.
    public init(id: String, method: String, fold: Int, seed: Int) {
        self.id = id
        self.method = method
        self.fold = fold
        self.seed = seed
    }
}

/// A job the runner gave up on (one line of failures.jsonl).
public struct FailureRecord: Sendable, Equatable {
    /// The job id.
    public var job: String
    /// The method name.
    public var method: String
    /// The fold index.
    public var fold: Int
    /// The training seed.
    public var seed: Int
    /// Why each attempt failed.
    public var reasons: [String]
}

/// Voxel counts of a pseudo-label against the hidden training masks.
public struct VoxelCounts: Sendable, Equatable {
    /// Foreground voxels in both the pseudo-label and the reference.
    public var tp: Int
    /// Foreground in the pseudo-label only.
    public var fp: Int
    /// Foreground in the reference only.
    public var fn: Int

    /// Counts from their parts.
    public init(tp: Int, fp: Int, fn: Int) {
        self.tp = tp
        self.fp = fp
        self.fn = fn
    }

    static func + (a: VoxelCounts, b: VoxelCounts) -> VoxelCounts {
        VoxelCounts(tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn)
    }

    /// 2tp / (2tp + fp + fn), nil when there is no foreground at all.
    public var dice: Double? { ratio(2 * tp, 2 * tp + fp + fn) }
    /// tp / (tp + fp), nil when nothing was predicted.
    public var precision: Double? { ratio(tp, tp + fp) }
    /// tp / (tp + fn), nil when the reference is empty.
    public var recall: Double? { ratio(tp, tp + fn) }

    private func ratio(_ a: Int, _ b: Int) -> Double? { b == 0 ? nil : Double(a) / Double(b) }
}

/// The pseudo-label quality of one fold (pseudo_labels.json).
public struct PseudoLabelCounts: Sendable, Equatable {
    /// The pseudo-label kinds, in the order the paper builds them.
    public static let kinds = ["y_semi", "y_ssl", "y_final"]
    /// Per kind: the counts over all unlabelled training slices.
    public var overall: [String: VoxelCounts]
    /// Per kind: counts by distance (in slices) from the central slice.
    public var byDistance: [String: [Int: VoxelCounts]]
}

// MARK: - Decoding

/// Decodes JSON with errors that name the file and the field at fault.
enum RunFileDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(file: file, message: "\(error)")
        }
    }

    static func decodeFile<T: Decodable>(_ type: T.Type, at url: URL) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReportError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(T.self, from: data, file: url.path)
    }

    /// Decodes every non-blank line of a JSON-lines file.
    static func decodeLines<T: Decodable>(_ type: T.Type, at url: URL) throws -> [T] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReportError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        var rows: [T] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            do {
                rows.append(try decode(T.self, from: Data(line.utf8), file: url.path))
            } catch let error as ReportError {
                throw ReportError(file: error.file, field: "line \(index + 1)" + (error.field.isEmpty ? "" : ": " + error.field), message: error.message)
            }
        }
        return rows
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }

    private static func describe(_ error: DecodingError, file: String) -> ReportError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return ReportError(file: file, field: field, message: "required key is missing")
        case .typeMismatch(let type, let context):
            return ReportError(file: file, field: path(context.codingPath), message: "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return ReportError(file: file, field: path(context.codingPath), message: "expected \(typeName(type)), found null")
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? ReportError)?.message
            let message = underlying ?? (context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription)
            return ReportError(file: file, field: path(context.codingPath), message: message)
        @unknown default:
            return ReportError(file: file, message: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Double?.Type: return "a number"
        case is Int.Type, is Int?.Type: return "an integer"
        case is String.Type, is String?.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}

/// A key for decoding with names given at run time.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// A value that must be present, as a number or null.
    func requiredNullable(_ name: String) throws -> Double? {
        try decode(Double?.self, forKey: AnyKey(name))
    }

    /// A value that may be absent, null or a number.
    func optional<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: AnyKey(name))
    }

    func fail(_ name: String, _ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath + [AnyKey(name)], debugDescription: message, underlyingError: ReportError(file: "", message: message)))
    }
}

extension CaseScores: Decodable {
    /// Metrics that every row must carry (a value or null): the columns of Table 1.
    static let requiredMetrics: [Metric] = [.dice, .iou, .assd, .ravd]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        caseID = try c.decode(String.self, forKey: AnyKey("case"))
        site = try c.optional("site")
        flags = try c.optional("flags") ?? []
        values = [:]
        for metric in Metric.allCases {
            let value = Self.requiredMetrics.contains(metric) ? try c.requiredNullable(metric.rawValue) : try c.optional(metric.rawValue, as: Double.self)
            guard let value else { continue }
            guard value.isFinite else { throw c.fail(metric.rawValue, "\(value) is not a finite number") }
            switch metric {
            case .dice, .iou, .diceGlandSlices:
                guard (0...1).contains(value) else { throw c.fail(metric.rawValue, "\(value) is outside [0, 1] (a fraction, not a percentage)") }
            case .assd, .assdPooled, .hd95, .ravdAbs, .falsePositiveMillilitres:
                guard value >= 0 else { throw c.fail(metric.rawValue, "\(value) is negative") }
            case .ravd:
                guard value >= -1 else { throw c.fail(metric.rawValue, "\(value) is below -1, impossible for (|A| - |B|) / |B|") }
            }
            values[metric] = value
        }
        // The signed RAVD determines its absolute value; files may leave the latter out.
        if values[.ravdAbs] == nil, let ravd = values[.ravd], !c.contains(AnyKey(Metric.ravdAbs.rawValue)) {
            values[.ravdAbs] = abs(ravd)
        }
    }
}

extension JobTiming: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        wallSeconds = try c.optional("wall_seconds")
        steps = try c.optional("steps")
        stepsPerSecond = try c.optional("steps_per_second")
        worker = try c.optional("worker")
    }
}

extension JobMetrics: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        method = try c.decode(String.self, forKey: AnyKey("method"))
        fold = try c.decode(Int.self, forKey: AnyKey("fold"))
        seed = try c.optional("seed")
        let statusText = try c.decode(String.self, forKey: AnyKey("status"))
        guard let status = JobMetrics.Status(rawValue: statusText) else {
            throw c.fail("status", "\"\(statusText)\" is not \"completed\" or \"failed\"")
        }
        self.status = status
        reasons = try c.optional("reasons") ?? []
        timing = try c.optional("timing") ?? JobTiming()
        if status == .completed {
            cases = try c.decode([CaseScores].self, forKey: AnyKey("cases"))
        } else {
            cases = try c.optional("cases") ?? []
        }
        var seen = Set<String>()
        for (index, row) in cases.enumerated() where !seen.insert(row.caseID).inserted {
            throw c.fail("cases[\(index)]", "case \"\(row.caseID)\" appears twice")
        }
    }
}

extension JobMetrics {
    /// Decodes the content of a metrics.json as the report reads it; errors name `file` and
    /// the field at fault.
    public static func decode(_ data: Data, file: String) throws -> JobMetrics {
        try RunFileDecoder.decode(JobMetrics.self, from: data, file: file)
    }
}

extension PseudoLabelCounts {
    /// Decodes the content of a pseudo_labels.json as the report reads it.
    public static func decode(_ data: Data, file: String) throws -> PseudoLabelCounts {
        try RunFileDecoder.decode(PseudoLabelCounts.self, from: data, file: file)
    }
}

extension ExpectedJob: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        id = try c.decode(String.self, forKey: AnyKey("id"))
        method = try c.decode(String.self, forKey: AnyKey("method"))
        fold = try c.decode(Int.self, forKey: AnyKey("fold"))
        seed = try c.decode(Int.self, forKey: AnyKey("seed"))
    }
}

/// jobs.json of a run directory: the jobs the run expects.
struct ExpectedJobsFile: Decodable {
    var jobs: [ExpectedJob]
}

struct FoldsFile: Decodable {
    struct Fold: Decodable {
        var fold: Int
        var test: [String]
    }
    var folds: [Fold]
}

extension FailureRecord: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        job = try c.decode(String.self, forKey: AnyKey("job"))
        method = try c.decode(String.self, forKey: AnyKey("method"))
        fold = try c.decode(Int.self, forKey: AnyKey("fold"))
        seed = try c.decode(Int.self, forKey: AnyKey("seed"))
        reasons = try c.optional("reasons") ?? []
    }
}

/// One line of results.jsonl: only what the cross-check needs.
struct ResultLine: Decodable {
    var job: String
    var method: String
    var fold: Int
    var seed: Int
}

extension VoxelCounts: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        tp = try c.decode(Int.self, forKey: AnyKey("tp"))
        fp = try c.decode(Int.self, forKey: AnyKey("fp"))
        fn = try c.decode(Int.self, forKey: AnyKey("fn"))
        for (name, value) in [("tp", tp), ("fp", fp), ("fn", fn)] where value < 0 {
            throw c.fail(name, "a voxel count cannot be negative (\(value))")
        }
    }
}

extension PseudoLabelCounts: Decodable {
    private struct Entry: Decodable {
        var overall: VoxelCounts
        var byDistance: [Int: VoxelCounts]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            overall = try c.decode(VoxelCounts.self, forKey: AnyKey("overall"))
            let rows = try c.optional("by_distance", as: [DistanceRow].self) ?? []
            byDistance = [:]
            for (index, row) in rows.enumerated() {
                guard row.distance >= 1 else { throw c.fail("by_distance[\(index)].distance", "must be at least 1 (the central slice is labelled)") }
                guard byDistance[row.distance] == nil else { throw c.fail("by_distance[\(index)].distance", "distance \(row.distance) appears twice") }
                byDistance[row.distance] = row.counts
            }
        }
    }

    private struct DistanceRow: Decodable {
        var distance: Int
        var counts: VoxelCounts

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            distance = try c.decode(Int.self, forKey: AnyKey("distance"))
            counts = try VoxelCounts(from: decoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let labels = try c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("labels"))
        overall = [:]
        byDistance = [:]
        for kind in Self.kinds {
            let entry = try labels.decode(Entry.self, forKey: AnyKey(kind))
            overall[kind] = entry.overall
            byDistance[kind] = entry.byDistance
        }
    }
}
