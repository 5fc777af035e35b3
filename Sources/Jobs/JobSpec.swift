import Foundation

/// One job of a run: train one method with one seed and score it on one fold. Experiments
/// expand into jobs; the runner schedules, ships and journals them without knowing what a
/// method is; a worker's executor runs them.
public struct JobSpec: Sendable, Hashable, Codable {
    /// Unique within a run; also the path of the job's directory under RUN_DIR/jobs, so it
    /// is one or more '/'-separated names of letters, digits, '.', '_' and '-', none empty or
    /// starting with '.' (for example "MT/fold1").
    public var id: String
    /// The method, for example "MT" (the Methods module) or "test.sleep" (the runner's test jobs).
    public var method: String
    /// The cross-validation fold.
    public var fold: Int
    /// The seed of every random stream of the job (0 or more).
    public var seed: Int
    /// Everything the job needs besides its directories; a training job's are the sections
    /// `training`, `method` and `dataset` (resolved) and `folds`. Strings that look like paths
    /// must stay inside the run directory or the dataset (the runner's settings validator).
    public var settings: JSONValue
    /// The expected cost (any unit, for example seconds); longer jobs are scheduled first so
    /// that the run does not end waiting for one long straggler.
    public var expectedCost: Double

    /// A job; `expectedCost` defaults to 1.
    public init(id: String, method: String, fold: Int, seed: Int, settings: JSONValue = [:], expectedCost: Double = 1) {
        self.id = id
        self.method = method
        self.fold = fold
        self.seed = seed
        self.settings = settings
        self.expectedCost = expectedCost
    }

    /// The id of a training job: "<method>/fold<k>/seed<s>", also its folder under the run
    /// directory's `jobs/`.
    public static func identifier(method: String, fold: Int, seed: Int) -> String {
        "\(method)/fold\(fold)/seed\(seed)"
    }

    /// Whether `id` is a valid job id (see ``id``).
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count <= 200 && id.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isValidName(String($0)) }
    }

    /// Whether `name` is one safe file name: ASCII letters, digits, '.', '_' and '-', not
    /// empty and not starting with '.' (so neither "." nor "..").
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "." else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
    }
}
