import Foundation
import SeededRandom

/// A k-fold cross-validation split over cases, stratified by site: every fold's test cases
/// take their turn from each site, so that sites are spread evenly over the folds. The same
/// split serves every method of a run, and is written to the run directory as JSON.
public struct FoldSplit: Sendable, Equatable, Codable {
    /// Number of folds.
    public let k: Int
    /// The seed the split was drawn with.
    public let seed: UInt64
    /// The test cases of each fold, in dataset order; fold f trains on all other cases.
    public let testCases: [[String]]
    /// All cases, in dataset order.
    public let cases: [String]

    /// Splits `cases` (id and site each) into `k` folds, seeded. Within each site the cases are
    /// shuffled and dealt to the folds in turn, continuing the turn from site to site, so fold
    /// sizes differ by at most one and each site's count per fold by at most one.
    public static func stratified(_ cases: [(id: String, site: String)], k: Int = 5, seed: UInt64) throws -> FoldSplit {
        guard k >= 2 else { throw DataError(file: "", field: "k", message: "need at least 2 folds, given \(k)") }
        guard cases.count >= k else {
            throw DataError(file: "", field: "k", message: "\(cases.count) cases cannot fill \(k) folds")
        }
        guard Set(cases.map(\.id)).count == cases.count else {
            throw DataError(file: "", field: "cases", message: "case names are not unique")
        }
        var rng = SeededGenerator(seed: seed).derived("folds")
        var folds = [[String]](repeating: [], count: k)
        var turn = 0
        for site in Set(cases.map(\.site)).sorted() {
            var members = cases.filter { $0.site == site }.map(\.id)
            // Fisher-Yates with our own generator: Swift's shuffle algorithm may change
            // between releases, the split must not.
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            for id in members {
                folds[turn % k].append(id)
                turn += 1
            }
        }
        let order = Dictionary(uniqueKeysWithValues: cases.enumerated().map { ($0.element.id, $0.offset) })
        return FoldSplit(k: k, seed: seed, testCases: folds.map { $0.sorted { order[$0]! < order[$1]! } }, cases: cases.map(\.id))
    }

    /// The test cases of `fold`.
    public func testIDs(_ fold: Int) -> [String] { testCases[fold] }

    /// The training cases of `fold`: every case not tested in it, in dataset order.
    public func trainingIDs(_ fold: Int) -> [String] {
        let test = Set(testCases[fold])
        return cases.filter { !test.contains($0) }
    }

    /// The split as pretty-printed JSON with sorted keys (stable bytes for a given split).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a split written by ``write(to:)``, checking that it is a partition.
    public static func read(_ path: String) throws -> FoldSplit {
        let data = Data(try readBytes(path, field: ""))
        let split: FoldSplit
        do { split = try JSONDecoder().decode(FoldSplit.self, from: data) } catch {
            throw DataError(file: path, field: "", message: "not a fold split: \(error)")
        }
        let tested = split.testCases.flatMap { $0 }
        guard split.testCases.count == split.k, tested.count == split.cases.count, Set(tested) == Set(split.cases) else {
            throw DataError(file: path, field: "testCases", message: "the folds do not partition the \(split.cases.count) cases")
        }
        return split
    }

    /// Writes the split as JSON, atomically (for `folds.json` in a run directory).
    public func write(to path: String) throws {
        try writeBytesAtomically([UInt8](try jsonData()), to: path)
    }
}
