import BitmapText
import Foundation
import HDF5

/// An 8-bit RGB image in memory, row-major, top row first.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Red, green, blue bytes per pixel, row by row.
    public private(set) var pixels: [UInt8]

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = fill.0; pixels[3 * i + 1] = fill.1; pixels[3 * i + 2] = fill.2 }
    }

    /// The colour at (x, y).
    public subscript(x: Int, y: Int) -> [UInt8] {
        let i = 3 * (y * width + x)
        return Array(pixels[i..<(i + 3)])
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = colour.0; pixels[i + 1] = colour.1; pixels[i + 2] = colour.2
    }

    /// Draws `text` with the built-in bitmap font, top-left corner at (x, y).
    mutating func draw(_ text: String, x: Int, y: Int, scale: Int, colour: (UInt8, UInt8, UInt8)) {
        BitmapFont.draw(text, into: &pixels, width: width, height: height, x: x, y: y, scale: scale, colour: colour)
    }
}

/// Figure 2 of the paper: for a few test cases, the representative slice with the reference
/// contour, then one panel per method with the reference contour and the method's contour in
/// the method's colour. Labels use a built-in bitmap font: column titles in each method's colour
/// act as the colour key.
public enum Figure2 {
    /// One test case: its slice and each method's predicted mask on it.
    public struct Row: Sendable {
        /// The test case id.
        public var caseID: String
        /// The fold that scored the case.
        public var fold: Int
        /// The slice index z in the volume.
        public var slice: Int
        /// Rows of the slice.
        public var ny: Int
        /// Columns of the slice.
        public var nx: Int
        /// The slice, [ny, nx] row-major, any intensity scale.
        public var image: [Float]
        /// The reference mask, [ny, nx], non-zero = foreground.
        public var reference: [UInt8]
        /// Per method, in column order: the predicted mask and the case's 3D Dice (if known).
        public var predictions: [(method: String, mask: [UInt8], dice: Double?)]

        /// A row from its parts; masks and image must hold ny * nx values.
        public init(caseID: String, fold: Int, slice: Int, ny: Int, nx: Int, image: [Float], reference: [UInt8],
                    predictions: [(method: String, mask: [UInt8], dice: Double?)]) {
            self.caseID = caseID
            self.fold = fold
            self.slice = slice
            self.ny = ny
            self.nx = nx
            self.image = image
            self.reference = reference
            self.predictions = predictions
        }
    }

    /// Where things are in the rendered figure, so that tests (and readers of the code) can find
    /// the panels.
    public struct Layout: Sendable, Equatable {
        /// Border around the figure, pixels.
        public static let margin = 10
        /// Space between panels, pixels.
        public static let gap = 8
        /// Bitmap-font magnification.
        public static let textScale = 2
        /// Panels are upscaled (nearest neighbour) to at least this many pixels on the long side.
        public static let minimumPanel = 160

        /// Panel columns: the reference, then one per method.
        public let columns: Int
        /// Size of the largest panel, pixels.
        public let panelWidth: Int
        public let panelHeight: Int
        /// Distance between the left edges of neighbouring columns.
        public let columnWidth: Int
        /// Upscaling factor per row.
        public let scales: [Int]
        /// Size of the whole figure, pixels.
        public let width: Int
        public let height: Int

        static var lineHeight: Int { BitmapFont.height(scale: textScale) + 6 }
        static var headerHeight: Int { 2 * lineHeight }
        static var rowHeight: (Int) -> Int { { panel in lineHeight + panel + lineHeight + gap } }

        /// The top-left pixel of the panel of `row` (0-based) and `column` (0 = reference only).
        public func panelOrigin(row: Int, column: Int) -> (x: Int, y: Int) {
            (Self.margin + column * columnWidth, Self.margin + Self.headerHeight + row * Self.rowHeight(panelHeight) + Self.lineHeight)
        }

        init(rows: [Row], methodLabels: [String]) {
            columns = methodLabels.count + 1
            scales = rows.map { max(1, (Self.minimumPanel + max($0.ny, $0.nx) - 1) / max($0.ny, $0.nx)) }
            panelWidth = zip(rows, scales).map { $0.nx * $1 }.max() ?? 0
            panelHeight = zip(rows, scales).map { $0.ny * $1 }.max() ?? 0
            let widestLabel = (methodLabels + ["REFERENCE", "DICE 100.0"]).map { BitmapFont.width(of: $0, scale: Self.textScale) }.max() ?? 0
            columnWidth = max(panelWidth, widestLabel) + Self.gap
            width = 2 * Self.margin + columns * columnWidth - Self.gap
            height = 2 * Self.margin + Self.headerHeight + rows.count * Self.rowHeight(panelHeight) - Self.gap
        }
    }

    /// Renders the figure.
    public static func render(_ rows: [Row]) -> (image: RGBImage, layout: Layout) {
        let methods = rows.first?.predictions.map(\.method) ?? []
        let infos = methods.map(MethodCatalogue.info)
        let layout = Layout(rows: rows, methodLabels: infos.map(\.figureLabel))
        var image = RGBImage(width: layout.width, height: layout.height, fill: (0, 0, 0))
        let white: (UInt8, UInt8, UInt8) = (255, 255, 255)
        let scale = Layout.textScale
        image.draw("FIGURE 2: \(rows.count) TEST CASES, CONTOURS ON ONE SLICE", x: Layout.margin, y: Layout.margin, scale: scale, colour: white)
        let headerY = Layout.margin + Layout.lineHeight
        image.draw("REFERENCE", x: Layout.margin, y: headerY, scale: scale, colour: MethodCatalogue.referenceColour)
        for (index, info) in infos.enumerated() {
            image.draw(info.figureLabel, x: Layout.margin + (index + 1) * layout.columnWidth, y: headerY, scale: scale, colour: info.colour)
        }
        for (rowIndex, row) in rows.enumerated() {
            let origin = layout.panelOrigin(row: rowIndex, column: 0)
            image.draw("\(row.caseID)  FOLD \(row.fold)  SLICE \(row.slice)", x: origin.x, y: origin.y - Layout.lineHeight, scale: scale, colour: white)
            let s = layout.scales[rowIndex]
            let grey = greyLevels(row.image)
            let referenceContour = contour(row.reference, ny: row.ny, nx: row.nx, scale: s)
            for column in 0..<layout.columns {
                let (x0, y0) = layout.panelOrigin(row: rowIndex, column: column)
                for y in 0..<(row.ny * s) {
                    for x in 0..<(row.nx * s) {
                        let g = grey[(y / s) * row.nx + x / s]
                        image.set(x0 + x, y0 + y, (g, g, g))
                    }
                }
                paint(&image, referenceContour, at: (x0, y0), width: row.nx * s, colour: MethodCatalogue.referenceColour)
                guard column > 0 else { continue }
                let prediction = row.predictions[column - 1]
                paint(&image, contour(prediction.mask, ny: row.ny, nx: row.nx, scale: s), at: (x0, y0), width: row.nx * s, colour: infos[column - 1].colour)
                let dice = prediction.dice.map { "DICE " + String(format: "%.1f", $0 * 100) } ?? "DICE N/A"
                image.draw(dice, x: x0, y: y0 + row.ny * s + 4, scale: scale, colour: infos[column - 1].colour)
            }
        }
        return (image, layout)
    }

    private static func paint(_ image: inout RGBImage, _ mask: [Bool], at origin: (Int, Int), width: Int, colour: (UInt8, UInt8, UInt8)) {
        for (i, on) in mask.enumerated() where on { image.set(origin.0 + i % width, origin.1 + i / width, colour) }
    }

    /// Grey levels 0...255 from the 1st to the 99th percentile of the slice, so that a few
    /// bright voxels do not wash the image out.
    static func greyLevels(_ image: [Float]) -> [UInt8] {
        let sorted = image.filter(\.isFinite).sorted()
        guard let first = sorted.first else { return [UInt8](repeating: 0, count: image.count) }
        let low = sorted[Int(Double(sorted.count - 1) * 0.01)], high = sorted[Int(Double(sorted.count - 1) * 0.99)]
        guard high > low else { return [UInt8](repeating: first == 0 ? 0 : 128, count: image.count) }
        return image.map { value in
            guard value.isFinite else { return 0 }
            return UInt8(max(0, min(255, ((value - low) / (high - low) * 255).rounded())))
        }
    }

    /// The contour of `mask` upscaled by `scale`: foreground pixels within a few pixels (along
    /// the axes) of background or of the panel's edge, two pixels thick and thicker on large
    /// panels so that it stays visible when the figure is viewed scaled down. Returned at the
    /// upscaled size.
    static func contour(_ mask: [UInt8], ny: Int, nx: Int, scale: Int) -> [Bool] {
        let height = ny * scale, width = nx * scale
        let thickness = max(2, max(height, width) / 128)
        func inside(_ y: Int, _ x: Int) -> Bool {
            y >= 0 && x >= 0 && y < height && x < width && mask[(y / scale) * nx + x / scale] != 0
        }
        var result = [Bool](repeating: false, count: height * width)
        for y in 0..<height {
            for x in 0..<width where inside(y, x) {
                for d in 1...thickness where !inside(y - d, x) || !inside(y + d, x) || !inside(y, x - d) || !inside(y, x + d) {
                    result[y * width + x] = true
                    break
                }
            }
        }
        return result
    }

    // MARK: Reading figure_slices.h5

    /// Chooses up to `count` test cases that every shown method wrote a slice for and reads
    /// them. With Ours present, the cases are spread over Ours' Dice (worst to best); otherwise
    /// the first cases by fold and id. Returns no rows when no job wrote figure_slices.h5.
    public static func loadRows(_ run: RunDirectory, summaries: [MethodSummary], count: Int) throws -> [Row] {
        // Per method and fold, the figure file of the completed job of the lowest seed (the
        // jobs come ordered by fold, then seed).
        var files: [String: [Int: String]] = [:]
        for entry in run.jobs where entry.metrics != nil && files[entry.job.method]?[entry.job.fold] == nil {
            let path = entry.directory.appendingPathComponent("figure_slices.h5").path
            if FileManager.default.fileExists(atPath: path) { files[entry.job.method, default: [:]][entry.job.fold] = path }
        }
        let methods = summaries.map(\.info.name).filter { files[$0] != nil }
        guard !methods.isEmpty, count > 0 else { return [] }

        var available: [String: Set<String>] = [:]  // method -> "fold/case"
        for method in methods {
            for (fold, path) in files[method]! {
                let names = try HDF5File.open(path).root.childNames()
                available[method, default: []].formUnion(names.map { "\(fold)/\($0)" })
            }
        }
        let common = methods.dropFirst().reduce(available[methods[0]]!) { $0.intersection(available[$1]!) }
        let dice = Dictionary(uniqueKeysWithValues: summaries.map { summary in
            (summary.info.name, Dictionary(summary.cases.map { ($0.key, $0.scores.value(.dice)) }, uniquingKeysWith: { a, _ in a }))
        })
        var candidates = common.sorted { splitKey($0) < splitKey($1) }
        if let oursDice = dice[MethodCatalogue.ours], methods.contains(MethodCatalogue.ours) {
            candidates.sort { a, b in
                let (da, db) = (oursDice[a].flatMap { $0 } ?? -1, oursDice[b].flatMap { $0 } ?? -1)
                return da != db ? da < db : splitKey(a) < splitKey(b)
            }
        }
        let chosen: [String]
        if candidates.count <= count {
            chosen = candidates
        } else if count == 1 {
            chosen = [candidates[candidates.count / 2]]
        } else {
            chosen = (0..<count).map { candidates[Int((Double($0) * Double(candidates.count - 1) / Double(count - 1)).rounded())] }
        }

        return try chosen.map { key in
            let (fold, caseID) = splitKey(key)
            var row: Row?
            for method in methods {
                let path = files[method]![fold]!
                let group = try HDF5File.open(path).root.group(caseID)
                let (image, shape) = try group.read("image", as: Float.self)
                guard shape.count == 2 else { throw ReportError(file: path, field: "/\(caseID)/image", message: "expected a 2D slice [ny, nx], found shape \(shape)") }
                let reference = try readMask(group, "reference", shape: shape, file: path, caseID: caseID)
                let prediction = try readMask(group, "prediction", shape: shape, file: path, caseID: caseID)
                let slice: Int = try group.attribute("slice")
                let caseDice = dice[method]?[key].flatMap { $0 }
                if row == nil {
                    row = Row(caseID: caseID, fold: fold, slice: slice, ny: shape[0], nx: shape[1], image: image, reference: reference, predictions: [])
                } else if row!.slice != slice || row!.ny != shape[0] || row!.nx != shape[1] {
                    throw ReportError(file: path, field: "/\(caseID)", message: "slice \(slice) of shape \(shape) differs from the other methods' slice \(row!.slice) of shape [\(row!.ny), \(row!.nx)]")
                }
                row!.predictions.append((method, prediction, caseDice))
            }
            return row!
        }
    }

    private static func readMask(_ group: HDF5Group, _ name: String, shape: [Int], file: String, caseID: String) throws -> [UInt8] {
        let (mask, maskShape) = try group.read(name, as: UInt8.self)
        guard maskShape == shape else {
            throw ReportError(file: file, field: "/\(caseID)/\(name)", message: "shape \(maskShape) differs from the image's \(shape)")
        }
        return mask
    }

    private static func splitKey(_ key: String) -> (Int, String) {
        let parts = key.split(separator: "/", maxSplits: 1)
        return (Int(parts[0]) ?? 0, String(parts[1]))
    }
}
