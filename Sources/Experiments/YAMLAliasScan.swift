/// Finds YAML anchors (`&name`) and aliases (`*name`) in the text of a document, before a
/// parser sees it.
///
/// Experiment files have no use for them, and they are how a one-kilobyte document expands to
/// gigabytes ("billion laughs"): Yams composes an alias as a second reference to its anchor's
/// node, so nested aliases make a tree whose walk, or whose hashing as a mapping key, is
/// exponential in the size of the file. The scan is one pass over the characters, so it costs
/// no more than the size of the file allows. It follows enough of YAML's syntax to tell an
/// indicator from text: comments, quoted scalars (also over several lines), block scalars
/// (`|`, `>`), plain scalars and flow collections. Where it is unsure it errs towards
/// reporting, which at worst refuses a document with an odd `*` or `&` at the start of a line.
enum YAMLAliasScan {
    /// An anchor or alias: its 1-based line and its text ("&name" or "*name").
    struct Found: Equatable {
        let line: Int
        let text: String
    }

    /// The first anchor or alias of `yaml`, or nil.
    static func first(in yaml: String) -> Found? {
        var scanner = Scanner()
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var characters = Array(line.unicodeScalars)
            if characters.last == "\r" { characters.removeLast() }
            if let text = scanner.scan(characters) { return Found(line: index + 1, text: text) }
        }
        return nil
    }

    /// The state carried from one line to the next.
    private struct Scanner {
        /// Open `[` and `{`.
        var flowDepth = 0
        /// The quote of a quoted scalar still open at the end of the previous line.
        var openQuote: Unicode.Scalar?
        /// The indentation of the node that holds a block scalar: lines indented further, and
        /// blank lines, are its text.
        var blockIndent: Int?

        /// Scans one line; returns the first anchor or alias on it.
        mutating func scan(_ line: [Unicode.Scalar]) -> String? {
            let indent = line.prefix { $0 == " " }.count
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" }
            if let blockIndent {
                if blank || indent > blockIndent { return nil }
                self.blockIndent = nil
            }
            var i = 0
            // Where a node may begin, '&' and '*' are indicators; inside text they are text.
            var nodeStart = true
            // The column of the last key or entry begun on the line: the indentation of the
            // node that holds a block scalar begun after it.
            var nodeColumn = indent
            if let quote = openQuote {
                i = skipQuoted(line, from: 0, quote: quote)
                nodeStart = false
            }
            func isSpace(_ at: Int) -> Bool { at >= line.count || line[at] == " " || line[at] == "\t" }
            func isFlowIndicator(_ c: Unicode.Scalar) -> Bool { c == "," || c == "[" || c == "]" || c == "{" || c == "}" }
            // ':' ends a key when a space, the end of the line or, in a flow, a flow indicator follows.
            func isValueIndicator(_ at: Int) -> Bool {
                line[at] == ":" && (isSpace(at + 1) || (flowDepth > 0 && isFlowIndicator(line[at + 1])))
            }
            while i < line.count {
                let c = line[i]
                if c == " " || c == "\t" {
                    i += 1
                    continue
                }
                if c == "#" && (i == 0 || isSpace(i - 1)) { return nil }
                if i == 0 && line.count >= 3 && isSpace(3) && (line[0...2].allSatisfy { $0 == "-" } || line[0...2].allSatisfy { $0 == "." }) {
                    // A document marker; a node may follow on the same line.
                    i = 3
                    continue
                }
                if nodeStart {
                    switch c {
                    case "&", "*":
                        let end = line[i...].firstIndex { $0 == " " || $0 == "\t" || isFlowIndicator($0) } ?? line.count
                        return String(String.UnicodeScalarView(line[i..<end]))
                    case "!":
                        // A tag, which may come before an anchor.
                        while i < line.count && !isSpace(i) { i += 1 }
                        continue
                    case "-" where isSpace(i + 1), "?" where isSpace(i + 1), ":" where isSpace(i + 1):
                        if c != ":" { nodeColumn = i }
                        i += 1
                        continue
                    case "|", ">":
                        blockIndent = nodeColumn
                        return nil
                    case "'", "\"":
                        nodeColumn = i
                        i = skipQuoted(line, from: i + 1, quote: c)
                        nodeStart = false
                        continue
                    case "[", "{":
                        flowDepth += 1
                        i += 1
                        continue
                    case "%" where i == 0:
                        return nil
                    default:
                        break
                    }
                }
                switch c {
                case "[", "{":
                    flowDepth += 1
                    nodeStart = true
                    i += 1
                case "]", "}":
                    flowDepth = max(flowDepth - 1, 0)
                    nodeStart = false
                    i += 1
                case "," where flowDepth > 0:
                    nodeStart = true
                    i += 1
                case ":" where isValueIndicator(i):
                    nodeStart = true
                    i += 1
                default:
                    // Plain text, up to the indicator or comment that ends it.
                    if nodeStart { nodeColumn = i }
                    i += 1
                    while i < line.count && !(line[i] == "#" && isSpace(i - 1)) && !isValueIndicator(i)
                        && !(flowDepth > 0 && isFlowIndicator(line[i])) {
                        i += 1
                    }
                    nodeStart = false
                }
            }
            return nil
        }

        /// The index after the closing quote, or the end of the line with the quote left open.
        private mutating func skipQuoted(_ line: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar) -> Int {
            var i = start
            while i < line.count {
                if quote == "\"" && line[i] == "\\" {
                    i += 2
                } else if line[i] == quote {
                    // '' inside single quotes is an escaped quote.
                    if quote == "'" && i + 1 < line.count && line[i + 1] == "'" {
                        i += 2
                    } else {
                        openQuote = nil
                        return i + 1
                    }
                } else {
                    i += 1
                }
            }
            openQuote = quote
            return line.count
        }
    }
}
