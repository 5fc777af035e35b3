import BitmapText
import Foundation

/// The training curves of one method: for each of its jobs, the training loss against the
/// job's global step (from scalars.csv, or the per-epoch means of losses.csv for jobs that
/// predate it) and, when the job held out validation cases, the validation Dice after every
/// epoch (validation.csv). `sparseseg report` draws one PNG per method from them, one line per
/// job (fold and seed), so that a fold that diverges stays visible instead of being averaged
/// away.
public enum TrainingCurves {
    /// One job's curves.
    public struct Series: Sendable, Equatable {
        /// The job's fold and seed.
        public let fold: Int
        public let seed: Int
        /// Whether `loss` is per optimiser step (scalars.csv) rather than per epoch (losses.csv).
        public let perStep: Bool
        /// (global step, loss) per step, or (epoch number over all phases, mean loss) per epoch.
        public let loss: [Point]
        /// (global step at the end of the epoch, Dice) per validated epoch.
        public let validation: [Point]
        /// The x at which each phase after the first starts.
        public let phaseStarts: [Double]
    }

    /// A point of a curve.
    public struct Point: Sendable, Equatable {
        public let x: Double
        public let y: Double
    }

    /// The curves of `method`'s jobs that wrote any, in the run's job order.
    public static func load(_ run: RunDirectory, method: String) -> [Series] {
        run.jobs.filter { $0.job.method == method }.compactMap { entry in
            let directory = entry.directory
            var loss: [Point] = [], starts: [Double] = [], perStep = true
            if let rows = csv(directory.appendingPathComponent("scalars.csv")) {
                var phase: String?
                for row in rows {
                    guard let x = row["global_step"].flatMap(Double.init), let y = row["loss"].flatMap(Double.init), y.isFinite else { continue }
                    if let previous = phase, previous != row["phase"] { starts.append(x) }
                    phase = row["phase"]
                    loss.append(Point(x: x, y: y))
                }
            } else if let rows = csv(directory.appendingPathComponent("losses.csv")) {
                perStep = false
                loss = rows.enumerated().compactMap { index, row in
                    row["loss"].flatMap(Double.init).flatMap { $0.isFinite ? Point(x: Double(index + 1), y: $0) : nil }
                }
            }
            let validation = (csv(directory.appendingPathComponent("validation.csv")) ?? []).compactMap { row -> Point? in
                guard let x = row["global_step"].flatMap(Double.init), let y = row["val_dice"].flatMap(Double.init), y.isFinite else { return nil }
                return Point(x: x, y: y)
            }
            guard !loss.isEmpty || !validation.isEmpty else { return nil }
            return Series(fold: entry.job.fold, seed: entry.job.seed, perStep: perStep, loss: loss, validation: perStep ? validation : [],
                          phaseStarts: starts)
        }
    }

    /// The rows of a CSV file without quoting (the jobs' logs) keyed by its header; nil when
    /// the file is missing or unreadable.
    private static func csv(_ url: URL) -> [[String: String]]? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return nil }
        return lines.dropFirst().filter { $0.count == header.count }.map { Dictionary(zip(header, $0), uniquingKeysWith: { a, _ in a }) }
    }

    /// Where things are in a rendered picture, for tests.
    public struct Layout: Sendable, Equatable {
        public static let width = 720
        public static let margin = 10
        public static let textScale = 2
        public static let plotHeight = 200
        /// Left edge of the plotting area (room for the y labels).
        public static let plotLeft = 90
        static var lineHeight: Int { BitmapFont.height(scale: textScale) + 6 }

        /// The top row of each plotting area, top to bottom: the loss, then the validation
        /// Dice when any job validated.
        public let plotTops: [Int]
        /// Height of the picture.
        public let height: Int
    }

    /// Line colours of the jobs, bright on the black background, in job order (cycled).
    static let palette: [(UInt8, UInt8, UInt8)] = [
        (255, 120, 0), (0, 200, 255), (160, 255, 60), (255, 0, 255), (255, 230, 0), (60, 120, 255), (0, 255, 170), (255, 90, 90),
    ]

    /// Draws `series` of the method `info`: the loss (log scale, a moving mean over about a
    /// hundredth of the steps) and, when any job validated, the validation Dice on [0, 1],
    /// against the global step; thin grey lines where phases start; a key of fold and seed.
    public static func render(_ info: MethodInfo, _ series: [Series]) -> (image: RGBImage, layout: Layout) {
        let hasValidation = series.contains { !$0.validation.isEmpty }
        let perStep = series.allSatisfy(\.perStep)
        let line = Layout.lineHeight, margin = Layout.margin
        var plots: [(y: Int, title: String)] = []  // the top row of each plot and its title
        var y = margin + line
        plots.append((y + line, perStep ? "TRAINING LOSS PER STEP (MOVING MEAN), LOG SCALE" : "TRAINING LOSS, MEAN PER EPOCH, LOG SCALE"))
        y += line + Layout.plotHeight + 2 * line
        if hasValidation {
            plots.append((y + line, "VALIDATION DICE, CENTRAL SLICES OF HELD-OUT CASES"))
            y += line + Layout.plotHeight + 2 * line
        }
        let keyRows = (series.count + 3) / 4
        let height = y + keyRows * line + margin
        let layout = Layout(plotTops: plots.map(\.y), height: height)
        var image = RGBImage(width: Layout.width, height: height, fill: (0, 0, 0))
        let (white, grey): ((UInt8, UInt8, UInt8), (UInt8, UInt8, UInt8)) = ((255, 255, 255), (90, 90, 90))
        let scale = Layout.textScale
        image.draw("\(info.figureLabel): TRAINING CURVES OF \(series.count) JOB\(series.count == 1 ? "" : "S")", x: margin, y: margin, scale: scale, colour: info.colour)

        let xMax = max(series.flatMap { $0.loss.map(\.x) + $0.validation.map(\.x) }.max() ?? 1, 1)
        let plotWidth = Layout.width - Layout.plotLeft - margin
        func px(_ x: Double) -> Int { Layout.plotLeft + Int((Double(plotWidth - 1) * x / xMax).rounded()) }

        func frame(_ top: Int, title: String, low: String, high: String) {
            image.draw(title, x: margin, y: top - line, scale: scale, colour: white)
            for x in Layout.plotLeft..<(Layout.plotLeft + plotWidth) {
                image.set(x, top + Layout.plotHeight, grey)
            }
            for yy in top..<(top + Layout.plotHeight) { image.set(Layout.plotLeft - 1, yy, grey) }
            image.draw(high, x: margin, y: top, scale: scale, colour: white)
            image.draw(low, x: margin, y: top + Layout.plotHeight - BitmapFont.height(scale: scale), scale: scale, colour: white)
            image.draw("0", x: Layout.plotLeft, y: top + Layout.plotHeight + 4, scale: scale, colour: white)
            let right = (perStep ? "STEP " : "EPOCH ") + String(Int(xMax))
            image.draw(right, x: Layout.plotLeft + plotWidth - BitmapFont.width(of: right, scale: scale), y: top + Layout.plotHeight + 4, scale: scale, colour: white)
            for start in series.first?.phaseStarts ?? [] {
                for yy in stride(from: top, to: top + Layout.plotHeight, by: 3) { image.set(px(start), yy, grey) }
            }
        }

        // The loss, log scale.
        let smoothed = series.map { perStep ? movingMean($0.loss, window: max(1, $0.loss.count / 100)) : $0.loss }
        let positive = smoothed.flatMap { $0.map(\.y) }.filter { $0 > 0 }
        let (low, high) = (positive.min() ?? 0.1, positive.max() ?? 1)
        let (logLow, logHigh) = (log10(low), max(log10(high), log10(low) + 1e-6))
        let lossTop = plots[0].y
        frame(lossTop, title: plots[0].title, low: String(format: "%.3g", low), high: String(format: "%.3g", high))
        for (index, points) in smoothed.enumerated() {
            let positivePoints = points.filter { $0.y > 0 }
            polyline(&image, positivePoints.map { (px($0.x), lossTop + Int((Double(Layout.plotHeight - 1) * (logHigh - log10($0.y)) / (logHigh - logLow)).rounded())) },
                     colour: palette[index % palette.count])
        }
        if hasValidation {
            let top = plots[1].y
            frame(top, title: plots[1].title, low: "0", high: "1")
            for (index, s) in series.enumerated() {
                let points = s.validation.map { (px($0.x), top + Int((Double(Layout.plotHeight - 1) * (1 - min(max($0.y, 0), 1))).rounded())) }
                polyline(&image, points, colour: palette[index % palette.count])
                for (x, yy) in points {
                    for dx in -2...2 { for dy in -2...2 { image.set(x + dx, yy + dy, palette[index % palette.count]) } }
                }
            }
        }
        let keyTop = plots.last!.y + Layout.plotHeight + 2 * line
        for (index, s) in series.enumerated() {
            image.draw("FOLD \(s.fold) SEED \(s.seed)", x: margin + (index % 4) * 175, y: keyTop + (index / 4) * line, scale: scale,
                       colour: palette[index % palette.count])
        }
        return (image, layout)
    }

    /// The mean of each point's `window` neighbours up to it (fewer at the start).
    static func movingMean(_ points: [Point], window: Int) -> [Point] {
        guard window > 1 else { return points }
        var sum = 0.0
        return points.enumerated().map { index, point in
            sum += point.y
            if index >= window { sum -= points[index - window].y }
            return Point(x: point.x, y: sum / Double(min(index + 1, window)))
        }
    }

    /// Straight two-pixel-thick segments between consecutive points.
    private static func polyline(_ image: inout RGBImage, _ points: [(Int, Int)], colour: (UInt8, UInt8, UInt8)) {
        if points.count == 1 { image.set(points[0].0, points[0].1, colour) }
        for (a, b) in zip(points, points.dropFirst()) {
            let steps = max(abs(b.0 - a.0), abs(b.1 - a.1), 1)
            for i in 0...steps {
                let x = a.0 + (b.0 - a.0) * i / steps, y = a.1 + (b.1 - a.1) * i / steps
                image.set(x, y, colour)
                image.set(x, y + 1, colour)
            }
        }
    }
}
