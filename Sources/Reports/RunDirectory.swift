import Foundation

/// A run directory read from disk: every job, its state and what is inconsistent. Reading never
/// changes the directory.
public struct RunDirectory: Sendable {
    /// The run directory.
    public let url: URL
    /// Every job, expected or found, ordered by method (the table's order), fold, then seed.
    public let jobs: [JobEntry]
    /// Test case ids per fold, from folds.json (empty when the file is absent).
    public let testCases: [Int: [String]]
    /// The resolved experiment, verbatim, when present.
    public let experimentYAML: String?
    /// Everything a reader must know about: missing files, unlisted jobs, missing cases.
    public let notes: [String]

    /// Reads the run directory at `url`. Throws a `ReportError` naming the file and field when a
    /// file is malformed; absent optional files only add notes.
    public static func load(_ url: URL) throws -> RunDirectory {
        var notes: [String] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError(file: url.path, message: "not a run directory (no such directory)")
        }
        // Without any of these a "report" would be an empty table, written into a directory
        // that is probably not the one meant.
        guard markers.contains(where: { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }) else {
            throw ReportError(file: url.path, message: "not a run directory: it has none of \(markers.joined(separator: ", "))")
        }

        let yamlURL = url.appendingPathComponent("experiment.resolved.yaml")
        var experimentYAML: String?
        if FileManager.default.fileExists(atPath: yamlURL.path) {
            guard let data = FileManager.default.contents(atPath: yamlURL.path) else {
                throw ReportError(file: yamlURL.path, message: "cannot read")
            }
            experimentYAML = String(decoding: data, as: UTF8.self)
        } else {
            notes.append("experiment.resolved.yaml is missing: the table has no provenance")
        }

        var testCases: [Int: [String]] = [:]
        let foldsURL = url.appendingPathComponent("folds.json")
        if FileManager.default.fileExists(atPath: foldsURL.path) {
            for fold in try RunFileDecoder.decodeFile(FoldsFile.self, at: foldsURL).folds {
                guard testCases[fold.fold] == nil else {
                    throw ReportError(file: foldsURL.path, field: "folds", message: "fold \(fold.fold) appears twice")
                }
                testCases[fold.fold] = fold.test
            }
        } else {
            notes.append("folds.json is missing: cannot check that jobs scored every test case")
        }

        var expected: [ExpectedJob] = []
        let jobsURL = url.appendingPathComponent("jobs.json")
        let haveJobList = FileManager.default.fileExists(atPath: jobsURL.path)
        if haveJobList {
            expected = try RunFileDecoder.decodeFile(ExpectedJobsFile.self, at: jobsURL).jobs
            var ids = Set<String>()
            for (index, job) in expected.enumerated() where !ids.insert(job.id).inserted {
                throw ReportError(file: jobsURL.path, field: "jobs[\(index)].id", message: "job \"\(job.id)\" appears twice")
            }
        } else {
            notes.append("jobs.json is missing: jobs that never wrote a result cannot be named")
        }

        let found = try findJobDirectories(url)
        var failures: [String: FailureRecord] = [:]
        let failuresURL = url.appendingPathComponent("failures.jsonl")
        if FileManager.default.fileExists(atPath: failuresURL.path) {
            for record in try RunFileDecoder.decodeLines(FailureRecord.self, at: failuresURL) {
                failures[key(record.method, record.fold, record.seed)] = record
            }
        }
        var reportedCompleted: [String: ResultLine] = [:]
        let resultsURL = url.appendingPathComponent("results.jsonl")
        if FileManager.default.fileExists(atPath: resultsURL.path) {
            for line in try RunFileDecoder.decodeLines(ResultLine.self, at: resultsURL) {
                reportedCompleted[key(line.method, line.fold, line.seed)] = line
            }
        }

        // Every job: those expected, then those found on disk or in the runner's records only.
        var all: [(ExpectedJob, Bool)] = expected.map { ($0, true) }
        var known = Set(expected.map { key($0.method, $0.fold, $0.seed) })
        let discovered = found.map { ($0.key, $0.value) }
            + failures.map { ($0.key, ExpectedJob(method: $0.value.method, fold: $0.value.fold, seed: $0.value.seed)) }
        for (k, job) in discovered.sorted(by: { $0.0 < $1.0 }) where !known.contains(k) {
            known.insert(k)
            all.append((job, false))
            if haveJobList { notes.append("job \(job.id) is not listed in jobs.json but has results; it is reported") }
        }

        var entries: [JobEntry] = []
        for (job, isExpected) in all {
            let directory = jobDirectory(url, job.method, job.fold, job.seed)
            let metricsURL = directory.appendingPathComponent("metrics.json")
            var state = JobEntry.State.missing
            if FileManager.default.fileExists(atPath: metricsURL.path) {
                let metrics = try RunFileDecoder.decodeFile(JobMetrics.self, at: metricsURL)
                guard metrics.method == job.method else {
                    throw ReportError(file: metricsURL.path, field: "method", message: "\"\(metrics.method)\" does not match its directory \"\(job.method)\"")
                }
                guard metrics.fold == job.fold else {
                    throw ReportError(file: metricsURL.path, field: "fold", message: "\(metrics.fold) does not match its directory fold\(job.fold)")
                }
                if let seed = metrics.seed, seed != job.seed {
                    throw ReportError(file: metricsURL.path, field: "seed", message: "\(seed) does not match its directory seed\(job.seed)")
                }
                state = metrics.status == .completed ? .completed(metrics) : .failed(reasons: metrics.reasons, metrics: metrics)
            }
            if case .missing = state, let failure = failures[key(job.method, job.fold, job.seed)] {
                state = .failed(reasons: failure.reasons, metrics: nil)
            }
            if case .missing = state, reportedCompleted[key(job.method, job.fold, job.seed)] != nil {
                notes.append("job \(job.id): results.jsonl lists it as completed but \(relative(metricsURL, to: url)) is missing")
            }
            if case .completed(let metrics) = state, let cases = testCases[job.fold] {
                let scored = Set(metrics.cases.map(\.caseID))
                let unscored = cases.filter { !scored.contains($0) }
                if !unscored.isEmpty {
                    notes.append("job \(job.id) did not score test case(s) \(unscored.joined(separator: ", ")) of fold \(job.fold)")
                }
                let extra = metrics.cases.map(\.caseID).filter { !cases.contains($0) }
                if !extra.isEmpty {
                    notes.append("job \(job.id) scored case(s) \(extra.joined(separator: ", ")) that folds.json does not list as test cases of fold \(job.fold)")
                }
            }
            entries.append(JobEntry(job: job, state: state, expected: isExpected, directory: directory))
        }
        entries.sort { a, b in
            let (ra, rb) = (MethodCatalogue.rank(a.job.method), MethodCatalogue.rank(b.job.method))
            if ra != rb { return ra < rb }
            if a.job.method != b.job.method { return a.job.method < b.job.method }
            return (a.job.fold, a.job.seed) < (b.job.fold, b.job.seed)
        }
        return RunDirectory(url: url, jobs: entries, testCases: testCases, experimentYAML: experimentYAML, notes: notes)
    }

    /// What makes a directory a run directory: at least one of these, written by whoever
    /// starts a run (the experiment, the job list, the jobs' directory) or by the runner.
    public static let markers = ["experiment.resolved.yaml", "jobs.json", "jobs/", "results.jsonl", "failures.jsonl"]

    /// The directory of a job: `jobs/<method>/fold<k>/seed<s>`.
    public static func jobDirectory(_ run: URL, _ method: String, _ fold: Int, _ seed: Int) -> URL {
        run.appendingPathComponent("jobs").appendingPathComponent(method).appendingPathComponent("fold\(fold)").appendingPathComponent("seed\(seed)")
    }

    /// The methods of the run, in the table's order.
    public var methods: [String] {
        var seen = Set<String>()
        return jobs.map(\.job.method).filter { seen.insert($0).inserted }
    }

    private static func key(_ method: String, _ fold: Int, _ seed: Int) -> String { "\(method)/fold\(fold)/seed\(seed)" }

    private static func relative(_ file: URL, to run: URL) -> String {
        let base = run.standardizedFileURL.path
        let path = file.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    /// Job directories holding a metrics.json: `jobs/<method>/fold<k>/seed<s>/metrics.json`.
    private static func findJobDirectories(_ run: URL) throws -> [String: ExpectedJob] {
        let jobsRoot = run.appendingPathComponent("jobs")
        let manager = FileManager.default
        guard manager.fileExists(atPath: jobsRoot.path) else { return [:] }
        var found: [String: ExpectedJob] = [:]
        for method in try manager.contentsOfDirectory(atPath: jobsRoot.path) where !method.hasPrefix(".") {
            let methodURL = jobsRoot.appendingPathComponent(method)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: methodURL.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in try manager.contentsOfDirectory(atPath: methodURL.path) where name.hasPrefix("fold") {
                guard let fold = Int(name.dropFirst(4)), fold >= 0 else { continue }
                let foldURL = methodURL.appendingPathComponent(name)
                guard let seeds = try? manager.contentsOfDirectory(atPath: foldURL.path) else { continue }
                for seedName in seeds where seedName.hasPrefix("seed") {
                    guard let seed = Int(seedName.dropFirst(4)), seed >= 0 else { continue }
                    let metrics = foldURL.appendingPathComponent(seedName).appendingPathComponent("metrics.json")
                    if manager.fileExists(atPath: metrics.path) { found[key(method, fold, seed)] = ExpectedJob(method: method, fold: fold, seed: seed) }
                }
            }
        }
        return found
    }
}
