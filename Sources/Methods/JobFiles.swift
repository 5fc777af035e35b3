import Foundation
import Metrics

/// The files a job writes beside its checkpoints (docs/run-directory.md), each atomically.
enum JobFiles {
    /// One case row of metrics.json: the case id and site, `CaseMetrics`' keys, then the
    /// slice diagnostics.
    private struct CaseRow: Encodable {
        let result: JobOutcome.CaseResult
        enum Keys: String, CodingKey { case caseID = "case", site, diceGlandSlices = "dice_gland_slices", falsePositive = "fp_ml_gland_free" }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(result.caseID, forKey: .caseID)
            try container.encode(result.site, forKey: .site)
            try container.encode(result.diagnostics.glandSliceDice, forKey: .diceGlandSlices)
            try container.encode(result.diagnostics.falsePositiveMillilitres, forKey: .falsePositive)
            try result.metrics.encode(to: encoder)
        }
    }

    private struct Timing: Encodable {
        let wallSeconds: Double, steps: Int, stepsPerSecond: Double?, worker: String
        enum CodingKeys: String, CodingKey { case wallSeconds = "wall_seconds", steps, stepsPerSecond = "steps_per_second", worker }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(wallSeconds, forKey: .wallSeconds)
            try c.encode(steps, forKey: .steps)
            try c.encode(stepsPerSecond, forKey: .stepsPerSecond)
            try c.encode(worker, forKey: .worker)
        }
    }

    private struct MetricsFile: Encodable {
        let method: String, fold: Int, seed: Int, status: String, reasons: [String]
        let labelAccess: String
        let timing: Timing
        let cases: [CaseRow]
        enum CodingKeys: String, CodingKey { case method, fold, seed, status, reasons, labelAccess = "label_access", timing, cases }
    }

    /// metrics.json; `label_access` records the method's capability beside its rows.
    static func writeMetrics(_ outcome: JobOutcome, labelAccess: LabelAccess, worker: String,
                             trainingSeconds: Double, to url: URL) throws {
        let file = MetricsFile(
            method: outcome.method, fold: outcome.fold, seed: outcome.seed, status: "completed", reasons: [], labelAccess: labelAccess.rawValue,
            timing: Timing(wallSeconds: outcome.wallSeconds, steps: outcome.steps,
                           stepsPerSecond: trainingSeconds > 0 ? Double(outcome.steps) / trainingSeconds : nil, worker: worker),
            cases: outcome.cases.map(CaseRow.init))
        try AtomicWrite.json(file, to: url)
    }

    /// cases.csv: one row per test case with every metric (NA when undefined), the columns
    /// named with their units as in the report's cases.csv (Dice and IoU are fractions).
    static func writeCasesCSV(_ outcome: JobOutcome, to url: URL) throws {
        func cell(_ value: Double?) -> String { value.map { String($0) } ?? "NA" }
        var csv = "method,fold,seed,case,site,dice_fraction,iou_fraction,assd_mm,assd_pooled_mm,ravd,ravd_abs,hd95_mm,"
            + "dice_gland_slices_fraction,fp_ml_gland_free,flags\n"
        for row in outcome.cases {
            let (m, d) = (row.metrics, row.diagnostics)
            csv += [outcome.method, String(outcome.fold), String(outcome.seed), row.caseID, row.site, cell(m.dice), cell(m.iou), cell(m.assd),
                    cell(m.assdPooled), cell(m.ravd), cell(m.ravdAbs), cell(m.hd95), cell(d.glandSliceDice), cell(d.falsePositiveMillilitres),
                    m.flags.names.joined(separator: ";")].joined(separator: ",") + "\n"
        }
        try AtomicWrite.text(csv, to: url)
    }
}
