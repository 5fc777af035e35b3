import ArgumentParser

/// A mistyped subcommand, caught before ArgumentParser, which says only "Unexpected argument
/// 'trian'": the error names the unknown command and, when one is close, the command meant.
enum CommandSuggestion {
    /// The error for `arguments` (the command line without the program) when they name a
    /// subcommand that `root` does not have, at any depth; nil when the subcommands are right
    /// (whatever follows them is ArgumentParser's to check).
    static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path: [String] = []
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            // An option, or a command that takes arguments of its own: not a subcommand name.
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil, !argument.hasPrefix("-"), argument != "help" else {
                return nil
            }
            guard let next = subcommands.first(where: { $0._commandName == argument || $0.configuration.aliases.contains(argument) }) else {
                let names = subcommands.map { $0._commandName }
                let typed = (path + [argument]).joined(separator: " ")
                if let suggestion = closest(to: argument, among: names) {
                    return "unknown command '\(typed)'; did you mean '\((path + [suggestion]).joined(separator: " "))'?"
                }
                return "unknown command '\(typed)'; the commands\(path.isEmpty ? "" : " of '\(path.joined(separator: " "))'") are \(names.joined(separator: ", "))"
            }
            command = next
            path.append(argument)
        }
        return nil
    }

    /// The name nearest to `typed` by edit distance (a swap of neighbours counts once), if it
    /// is near enough to be a typo, or the only name `typed` begins.
    static func closest(to typed: String, among names: [String]) -> String? {
        let lowered = typed.lowercased()
        let ranked = names.map { (name: $0, distance: distance(lowered, $0)) }.sorted { $0.distance < $1.distance }
        if let best = ranked.first, best.distance <= max(1, min(2, best.name.count / 3)),
            ranked.dropFirst().first?.distance != best.distance {
            return best.name
        }
        let prefixed = names.filter { lowered.count >= 2 && $0.hasPrefix(lowered) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps
    /// of adjacent characters, each costing 1.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
