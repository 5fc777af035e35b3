import Foundation

/// A CSV log of a job whose rows belong to (phase, epoch): scalars.csv (a row per optimiser
/// step) and validation.csv (a row per epoch). The file is rewritten atomically after every
/// epoch, so that curves can be read while a job trains; the checkpoint state stays the truth
/// on resume: rows of epochs the last checkpoint does not cover are dropped when the log is
/// read back, and the resumed job writes them again, so that a resumed job ends with the same
/// bytes as an uninterrupted one. Values are kept as the text they were written as, so that
/// rows read back are written out unchanged.
struct EpochLog {
    /// The columns every row has, first `phase` and `epoch`, in order.
    let leading: [String]
    /// The file.
    let url: URL
    private(set) var rows: [(leading: [String], values: [String: String])] = []

    /// The log at `url`, with the rows read back whose (phase, epoch) `keep` accepts; a file
    /// that is missing or not such a log starts an empty one.
    init(url: URL, leading: [String], keep: (_ phase: String, _ epoch: Int) -> Bool) {
        precondition(leading.prefix(2) == ["phase", "epoch"], "EpochLog: the leading columns start with phase, epoch")
        self.url = url
        self.leading = leading
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, Array(header.prefix(leading.count)) == leading else { return }
        let names = header.dropFirst(leading.count)
        for fields in lines.dropFirst() where fields.count == header.count {
            guard let epoch = Int(fields[1]), keep(fields[0], epoch) else { continue }
            var values: [String: String] = [:]
            for (name, value) in zip(names, fields.dropFirst(leading.count)) where !value.isEmpty { values[name] = value }
            rows.append((Array(fields.prefix(leading.count)), values))
        }
    }

    /// Appends a row: the leading fields in order and the other columns by name.
    mutating func append(_ leadingFields: [String], _ values: [String: String]) {
        precondition(leadingFields.count == leading.count, "EpochLog: \(leadingFields.count) leading fields for \(leading.count) columns")
        rows.append((leadingFields, values))
    }

    /// The CSV text: the leading columns, then every named column of any row, sorted; a row
    /// without a column leaves its field empty.
    var text: String {
        let names = Set(rows.flatMap(\.values.keys)).sorted()
        var csv = (leading + names).joined(separator: ",") + "\n"
        for row in rows { csv += (row.leading + names.map { row.values[$0] ?? "" }).joined(separator: ",") + "\n" }
        return csv
    }

    /// Writes the log atomically, when it has a row.
    func write() throws {
        guard !rows.isEmpty else { return }
        try AtomicWrite.text(text, to: url)
    }
}
