import Foundation

/// A table of text cells, rendered as CSV or as Markdown.
///
/// CSV follows RFC 4180 with `\n` line ends: fields are quoted when they hold a comma, quote or
/// line break, quotes doubled; undefined values are written `NA`. Markdown is the
/// GitHub-flavoured table, with `|` escaped so that a method name or a reason cannot break the
/// layout.
public struct TextTable: Sendable {
    /// The CSV text of an undefined value.
    public static let undefined = "NA"

    /// Column titles.
    public let header: [String]
    /// The rows appended so far.
    public private(set) var rows: [[String]] = []

    /// An empty table with these column titles.
    public init(header: [String]) { self.header = header }

    /// Appends a row; it must have one cell per header column.
    public mutating func append(_ cells: [String]) {
        precondition(cells.count == header.count, "a row needs \(header.count) cells, given \(cells.count)")
        rows.append(cells)
    }

    /// The table as CSV text, one record per line.
    public var csv: String {
        ([header] + rows).map { $0.map(Self.csvEscape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The table as Markdown text, ending with a newline.
    public var markdown: String {
        func line(_ cells: [String]) -> String { "| " + cells.map(Self.markdownEscape).joined(separator: " | ") + " |" }
        return ([line(header), "| " + header.map { _ in "---" }.joined(separator: " | ") + " |"] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func csvEscape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func markdownEscape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A number with its shortest exact decimal form (it reads back as the same Double), or `NA`.
    public static func exact(_ value: Double?) -> String {
        guard let value else { return undefined }
        return "\(value)"
    }

    /// A number with six significant digits, or `NA`.
    static func number(_ value: Double?) -> String {
        guard let value else { return undefined }
        return String(format: "%.6g", value)
    }
}

/// Number formatting shared by the Markdown outputs.
enum Format {
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value else { return "n/a" }
        return String(format: "%.\(decimals)f", value)
    }

    /// A p-value with three significant digits; very small ones in scientific notation.
    static func pValue(_ p: Double?) -> String {
        guard let p else { return "n/a" }
        return p < 1e-4 ? String(format: "%.2e", p) : String(format: "%.3g", p)
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "n/a" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        if seconds < 7200 { return String(format: "%.1f min", seconds / 60) }
        return String(format: "%.2f h", seconds / 3600)
    }
}
