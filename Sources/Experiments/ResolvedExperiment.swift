import Foundation
import Jobs

extension Experiment {
    /// The experiment with every setting spelled out, as YAML that ``parse(yaml:file:catalog:)``
    /// reads back to an equal experiment. Written into each run directory, so a run records
    /// every value it used, defaults included.
    public func resolvedYAML() -> String {
        var lines = [
            "# Resolved experiment: every setting of \(file), defaults filled in.",
            "name: \(quoteIfNeeded(name))",
            "description: \(quoteIfNeeded(description))",
            "seeds: \(seeds.settingValue.yaml)",
            "folds: \(folds)",
            "run_folds: \(runFolds.settingValue.yaml)",
        ]
        lines += section("dataset", dataset, indent: 0)
        lines += section("training", training, indent: 0)
        lines.append("methods:")
        for method in methods {
            lines.append("  - \(quoteIfNeeded(method.name)):")
            lines += section("training", method.training, indent: 6)
            lines += entries(method.settings, indent: 6)
        }
        lines += section("runner", runner.resolved, indent: 0)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``resolvedYAML()`` to `url` atomically (temporary file, then rename).
    public func writeResolved(to url: URL) throws {
        try Data(resolvedYAML().utf8).write(to: url, options: .atomic)
    }

    private func section(_ key: String, _ values: ResolvedSettings, indent: Int) -> [String] {
        let body = entries(values, indent: indent + 2)
        let pad = String(repeating: " ", count: indent)
        return body.isEmpty ? ["\(pad)\(key): {}"] : ["\(pad)\(key):"] + body
    }

    /// One line per setting, in the schema's order, each with its help as a comment.
    private func entries(_ values: ResolvedSettings, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        return values.schema.specs.compactMap { spec in
            values.values[spec.key].map { "\(pad)\(spec.key): \($0.yaml)  # \(spec.help)" }
        }
    }
}
