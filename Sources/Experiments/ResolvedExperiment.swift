import Foundation

extension Experiment {
    /// The experiment with every setting spelled out, as YAML that ``parse(yaml:file:catalog:)``
    /// reads back to an equal experiment. Written into each run directory, so a run records
    /// every value it used, defaults included.
    public func resolvedYAML(catalog: any ExperimentCatalog) -> String {
        var lines = [
            "# Resolved experiment: every setting of \(file), defaults filled in.",
            "name: \(quoteIfNeeded(name))",
            "description: \(quoteIfNeeded(description))",
            "seeds: \(SettingValue.list(seeds.map { .int($0) }))",
            "folds: \(folds)",
            "run_folds: \(SettingValue.list(runFolds.map { .int($0) }))",
        ]
        lines += section("dataset", dataset, schema: catalog.datasetSchema, indent: 0)
        lines += section("training", training, schema: catalog.trainingSchema, indent: 0)
        lines.append("methods:")
        for method in methods {
            lines.append("  - \(quoteIfNeeded(method.name)):")
            lines += section("training", method.training, schema: catalog.trainingSchema, indent: 6)
            if let schema = catalog.methodSchema(method.name) {
                lines += entries(method.settings, schema: schema, indent: 6)
            }
        }
        lines += section("runner", runner, schema: RunnerSettings.schema, indent: 0)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``resolvedYAML(catalog:)`` to `url` atomically (temporary file, then rename).
    public func writeResolved(to url: URL, catalog: any ExperimentCatalog) throws {
        try Data(resolvedYAML(catalog: catalog).utf8).write(to: url, options: .atomic)
    }

    private func section(_ key: String, _ values: [String: SettingValue], schema: SettingsSchema, indent: Int) -> [String] {
        let body = entries(values, schema: schema, indent: indent + 2)
        let pad = String(repeating: " ", count: indent)
        return body.isEmpty ? ["\(pad)\(key): {}"] : ["\(pad)\(key):"] + body
    }

    /// One line per setting, in the schema's order, each with its help as a comment.
    private func entries(_ values: [String: SettingValue], schema: SettingsSchema, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        return schema.specs.compactMap { spec in
            values[spec.key].map { "\(pad)\(spec.key): \($0)  # \(spec.help)" }
        }
    }
}
