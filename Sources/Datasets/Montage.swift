import BitmapText
import Foundation
import PNG

/// A PNG contact sheet of cases: one row per case, labelled with its site and id, columns from
/// below the apex to above the base, each tile labelled with its slice index (the central
/// slice in the middle, its gland outline in green, the others' in red), and a legend saying
/// what the colours mean.
public enum Montage {
    /// Outline colour of the central slice's mask, the one training is given.
    public static let centralColour: [UInt8] = [40, 230, 60]
    /// Outline colour of the other slices' masks, hidden from training.
    public static let hiddenColour: [UInt8] = [235, 40, 40]

    /// A line of text on the sheet: its top-left corner, its colour, and for a line of the
    /// legend the square of colour drawn left of it.
    public struct Label: Sendable, Equatable {
        public let text: String
        public let x: Int
        public let y: Int
        public let colour: [UInt8]
        public let swatch: Swatch?
    }

    /// A legend's square of colour: its top-left corner, side and colour.
    public struct Swatch: Sendable, Equatable {
        public let x: Int
        public let y: Int
        public let size: Int
        public let colour: [UInt8]
    }

    /// The legend, one line each, in this order (in the font's characters).
    public static let legend = [
        "GREEN: MASK OF THE CENTRAL SLICE, GIVEN TO TRAINING",
        "RED: MASKS OF THE OTHER SLICES, HIDDEN FROM TRAINING",
        "COLUMNS: BELOW THE APEX TO ABOVE THE BASE. Z: SLICE INDEX",
    ]

    /// The slices shown for a case: below the apex, the apex, halfway, central, halfway, the
    /// base, above the base (clamped to the volume).
    public static func slices(of item: StoredCase) -> [Int] {
        let nz = item.image.shape.nz
        let central = CentralSliceRule.volumeMiddle.centralSlice(sliceCount: nz, labelledExtent: nil)
        let extent = item.labelledExtent ?? central...central
        let picks = [extent.lowerBound - 1, extent.lowerBound, (extent.lowerBound + central) / 2, central,
                     (central + extent.upperBound + 1) / 2, extent.upperBound, extent.upperBound + 2]
        return picks.map { min(max($0, 0), nz - 1) }
    }

    /// Renders the sheet as RGB pixels, `tile` pixels per slice (nearest-neighbour scaling),
    /// and returns the labels drawn on it.
    public static func render(_ cases: [StoredCase], tile: Int) -> (width: Int, height: Int, rgb: [UInt8], labels: [Label]) {
        let columns = 7, gap = 2
        // Labels at twice the font's size stay legible when the sheet is shown scaled down.
        let scale = tile >= 64 ? 2 : 1
        let textHeight = BitmapFont.height(scale: scale), pad = 2 * scale
        let lineHeight = textHeight + 2 * pad
        let ink: [UInt8] = [20, 20, 20], centralInk: [UInt8] = [0, 120, 0], hiddenInk: [UInt8] = [170, 0, 0]

        let rowTitles = cases.map { ["SITE \($0.site)", $0.id] }
        let labelWidth = (rowTitles.flatMap { $0 }.map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0) + 2 * pad
        let tilesLeft = labelWidth + gap
        let rowHeight = lineHeight + tile + gap
        let legendTop = gap + cases.count * rowHeight + pad
        let legendTextLeft = tilesLeft + textHeight + 2 * pad
        let legendWidth = legend.map { legendTextLeft + BitmapFont.width(of: $0, scale: scale) + pad }.max() ?? 0
        let width = max(tilesLeft + columns * (tile + gap), legendWidth)
        let height = legendTop + legend.count * lineHeight + pad

        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        var labels: [Label] = []
        func paint(_ x: Int, _ y: Int, _ colour: [UInt8]) {
            let at = (y * width + x) * 3
            rgb[at] = colour[0]; rgb[at + 1] = colour[1]; rgb[at + 2] = colour[2]
        }
        func write(_ label: Label) {
            if let swatch = label.swatch {
                for y in swatch.y..<(swatch.y + swatch.size) { for x in swatch.x..<(swatch.x + swatch.size) { paint(x, y, swatch.colour) } }
            }
            BitmapFont.draw(label.text, into: &rgb, width: width, height: height, x: label.x, y: label.y, scale: scale,
                            colour: (label.colour[0], label.colour[1], label.colour[2]))
            labels.append(label)
        }

        for (row, item) in cases.enumerated() {
            let rowTop = gap + row * rowHeight, top = rowTop + lineHeight
            for (line, title) in rowTitles[row].enumerated() {
                write(Label(text: title, x: pad, y: top + line * lineHeight + pad, colour: ink, swatch: nil))
            }
            let central = CentralSliceRule.volumeMiddle.centralSlice(sliceCount: item.image.shape.nz, labelledExtent: nil)
            for (column, z) in slices(of: item).enumerated() {
                let ny = item.image.shape.ny, nx = item.image.shape.nx
                let image = item.image.slice(z), label = item.label.slice(z)
                func source(_ u: Int, _ v: Int) -> Int { min(v * ny / tile, ny - 1) * nx + min(u * nx / tile, nx - 1) }
                func inside(_ u: Int, _ v: Int) -> Bool {
                    u >= 0 && v >= 0 && u < tile && v < tile && label[source(u, v)] != 0
                }
                let colour = z == central ? centralColour : hiddenColour
                let left = tilesLeft + column * (tile + gap)
                for v in 0..<tile {
                    for u in 0..<tile {
                        if inside(u, v) && !(inside(u - 1, v) && inside(u + 1, v) && inside(u, v - 1) && inside(u, v + 1)) {
                            paint(left + u, top + v, colour)
                        } else {
                            let grey = UInt8(min(max(image[source(u, v)], 0), 1) * 255)
                            paint(left + u, top + v, [grey, grey, grey])
                        }
                    }
                }
                write(Label(text: "Z=\(z)", x: left, y: rowTop + pad, colour: z == central ? centralInk : hiddenInk, swatch: nil))
            }
        }
        let swatches: [[UInt8]?] = [centralColour, hiddenColour, nil]
        for (line, text) in legend.enumerated() {
            let y = legendTop + line * lineHeight + pad
            write(Label(text: text, x: legendTextLeft, y: y, colour: line == 0 ? centralInk : line == 1 ? hiddenInk : ink,
                        swatch: swatches[line].map { Swatch(x: tilesLeft, y: y, size: textHeight, colour: $0) }))
        }
        return (width, height, rgb, labels)
    }

    /// Renders and writes the sheet to a PNG file (atomically); tiles are at least 128 pixels.
    public static func write(_ cases: [StoredCase], to path: String) throws {
        let sheet = render(cases, tile: max(128, cases.first?.image.shape.nx ?? 128))
        do {
            try PNG.write(to: URL(fileURLWithPath: path), width: sheet.width, height: sheet.height, colorType: .rgb, pixels: sheet.rgb)
        } catch {
            throw DataError(file: path, field: "", message: "cannot write the montage: \(error)")
        }
    }
}
