import Foundation
import Jobs

/// Progress of a running job, streamed to the coordinator with each heartbeat.
public struct JobProgress: Sendable, Hashable, Codable {
    /// The epoch under way, 1-based (1 to `epochs`), as Methods' training reports it.
    public var epoch: Int?
    /// The number of epochs of the job.
    public var epochs: Int?
    /// Steps completed (in the epoch, or in the whole job: see the executor).
    public var step: Int?
    /// The number of steps that `step` counts towards.
    public var steps: Int?
    /// The latest training loss.
    public var loss: Double?
    /// The fraction of the job done, in [0, 1].
    public var fraction: Double?
    /// The executor's estimate of the seconds left.
    public var etaSeconds: Double?

    /// Progress with any of its fields.
    public init(epoch: Int? = nil, epochs: Int? = nil, step: Int? = nil, steps: Int? = nil, loss: Double? = nil,
                fraction: Double? = nil, etaSeconds: Double? = nil) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.steps = steps
        self.loss = loss
        self.fraction = fraction
        self.etaSeconds = etaSeconds
    }
}

/// What a job produces: per-case metric rows and the files it wrote.
public struct JobOutput: Sendable, Hashable, Codable {
    /// One row per case, for example {"case": "Case07", "dice": 0.86, ...}.
    public var rows: [JSONValue]
    /// Files the job wrote, relative to its job directory.
    public var artefacts: [String]

    /// An output.
    public init(rows: [JSONValue], artefacts: [String] = []) {
        self.rows = rows
        self.artefacts = artefacts
    }
}

/// A finished job as the coordinator records it: one line of RUN_DIR/results.jsonl and the
/// payload of the journal's "done" record.
public struct CompletedJob: Sendable, Hashable, Codable {
    /// The job id.
    public var job: String
    /// The attempt that produced the result.
    public var attempt: Int
    /// The job's method.
    public var method: String
    /// The job's cross-validation fold.
    public var fold: Int
    /// The job's seed.
    public var seed: Int
    /// The job's per-case rows.
    public var rows: [JSONValue]
    /// Artefacts, relative to the run directory (for example "jobs/mt/fold1/seed0/metrics.json").
    public var artefacts: [String]
    /// Wall-clock seconds the worker spent on the job.
    public var seconds: Double
    /// Start of the job on the worker, seconds since 1970.
    public var startedAt: Double
    /// End of the job on the worker, seconds since 1970.
    public var finishedAt: Double
    /// The worker's name (host:pid).
    public var worker: String
    /// The worker's host.
    public var host: String

    /// A completed job.
    public init(job: String, attempt: Int, method: String, fold: Int, seed: Int, rows: [JSONValue], artefacts: [String],
                seconds: Double, startedAt: Double, finishedAt: Double, worker: String, host: String) {
        self.job = job
        self.attempt = attempt
        self.method = method
        self.fold = fold
        self.seed = seed
        self.rows = rows
        self.artefacts = artefacts
        self.seconds = seconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.worker = worker
        self.host = host
    }
}

/// An error in a jobs file or a job, naming where it is.
public struct JobError: Error, CustomStringConvertible, Sendable {
    /// The message, naming the file, job or field at fault.
    public let description: String
    /// An error with its message.
    public init(_ description: String) { self.description = description }
}

/// The jobs file `sparseseg coordinator` and `sparseseg run` read until experiment files
/// exist: `{"jobs": [{"id": ..., "method": ..., "fold": ..., "seed": ..., "settings": {...},
/// "expectedCost": ...}, ...]}` (settings and expectedCost optional). Experiment files will
/// expand to the same `[JobSpec]`.
public enum JobsFile {
    private struct File: Decodable {
        var jobs: [Entry]
    }

    private struct Entry: Decodable {
        var id: String
        var method: String
        var fold: Int
        var seed: Int
        var settings: JSONValue?
        var expectedCost: Double?
    }

    /// Reads and validates the jobs in `url`; errors name the file and the job at fault.
    public static func load(_ url: URL) throws -> [JobSpec] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw JobError("\(url.path): cannot read the jobs file: \(error.localizedDescription)")
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw JobError("\(url.path): not a jobs file: \(describe(error))")
        }
        let jobs = file.jobs.map {
            JobSpec(id: $0.id, method: $0.method, fold: $0.fold, seed: $0.seed, settings: $0.settings ?? [:], expectedCost: $0.expectedCost ?? 1)
        }
        do { try validate(jobs) } catch let error as JobError { throw JobError("\(url.path): \(error.description)") }
        return jobs
    }

    /// Checks ids (valid, unique), methods (non-empty) and costs (finite, non-negative).
    public static func validate(_ jobs: [JobSpec]) throws {
        guard !jobs.isEmpty else { throw JobError("no jobs") }
        var seen = Set<String>()
        for (index, job) in jobs.enumerated() {
            guard JobSpec.isValidID(job.id) else { throw JobError("jobs[\(index)].id \"\(job.id)\" is not a valid job id ('/'-separated names of letters, digits, . _ -)") }
            guard seen.insert(job.id).inserted else { throw JobError("jobs[\(index)].id \"\(job.id)\" is used twice") }
            guard !job.method.isEmpty else { throw JobError("jobs[\(index)] (\(job.id)): empty method") }
            guard job.expectedCost.isFinite, job.expectedCost >= 0 else { throw JobError("jobs[\(index)] (\(job.id)): expectedCost must be finite and >= 0") }
        }
    }

    /// Encodes `jobs` in the jobs file format.
    public static func encode(_ jobs: [JobSpec]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(["jobs": jobs])
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription) \(context.underlyingError.map { "\($0)" } ?? "")"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// Keeps job settings from naming files outside the run directory and the dataset.
///
/// Any string in the settings that contains a '/' or starts with '~' or '.' is taken as a
/// path. A relative path must not climb out with "..". An absolute path must lie inside one
/// of the allowed roots.
public struct SettingsValidator: Sendable {
    /// Directories absolute paths may lie in (the run directory and the dataset).
    public var allowedRoots: [String]

    /// A validator admitting absolute paths under `allowedRoots` only.
    public init(allowedRoots: [String]) {
        self.allowedRoots = allowedRoots.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    }

    /// Throws a ``JobError`` naming the job and setting if a path escapes.
    public func validate(_ job: JobSpec) throws {
        for (path, value) in job.settings.strings() where Self.looksLikePath(value) {
            if value.hasPrefix("~") {
                throw JobError("job \(job.id): setting \(path) = \"\(value)\" names a home directory; paths must stay in the run directory or dataset")
            }
            let components = value.split(separator: "/", omittingEmptySubsequences: true)
            if value.hasPrefix("/") {
                // Through symbolic links: a link inside the run directory may point anywhere.
                let standard = URL(fileURLWithPath: value).standardizedFileURL.resolvingSymlinksInPath().path
                let inside = allowedRoots.contains { standard == $0 || standard.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
                if !inside || components.contains("..") {
                    throw JobError("job \(job.id): setting \(path) = \"\(value)\" is outside the run directory and dataset")
                }
            } else {
                var depth = 0
                for component in components {
                    depth += component == ".." ? -1 : (component == "." ? 0 : 1)
                    if depth < 0 {
                        throw JobError("job \(job.id): setting \(path) = \"\(value)\" climbs out of the run directory with ..")
                    }
                }
            }
        }
    }

    static func looksLikePath(_ value: String) -> Bool {
        value.contains("/") || value.hasPrefix("~") || value == ".." || value.hasPrefix("..")
    }
}
