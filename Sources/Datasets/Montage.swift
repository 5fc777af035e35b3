import Foundation
import PNG

/// A PNG contact sheet of cases: one row per case, columns from below the apex to above the
/// base (the central slice in the middle, its gland outline in green, the others' in red).
public enum Montage {
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

    /// Renders the sheet as RGB pixels, `tile` pixels per slice (nearest-neighbour scaling).
    public static func render(_ cases: [StoredCase], tile: Int) -> (width: Int, height: Int, rgb: [UInt8]) {
        let columns = 7, gap = 2
        let width = columns * tile + (columns + 1) * gap, height = cases.count * tile + (cases.count + 1) * gap
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for (row, item) in cases.enumerated() {
            let central = CentralSliceRule.volumeMiddle.centralSlice(sliceCount: item.image.shape.nz, labelledExtent: nil)
            for (column, z) in slices(of: item).enumerated() {
                let ny = item.image.shape.ny, nx = item.image.shape.nx
                let image = item.image.slice(z), label = item.label.slice(z)
                func source(_ u: Int, _ v: Int) -> Int { min(v * ny / tile, ny - 1) * nx + min(u * nx / tile, nx - 1) }
                func inside(_ u: Int, _ v: Int) -> Bool {
                    u >= 0 && v >= 0 && u < tile && v < tile && label[source(u, v)] != 0
                }
                let colour: [UInt8] = z == central ? [40, 230, 60] : [235, 40, 40]
                let left = gap + column * (tile + gap), top = gap + row * (tile + gap)
                for v in 0..<tile {
                    for u in 0..<tile {
                        let at = ((top + v) * width + left + u) * 3
                        if inside(u, v) && !(inside(u - 1, v) && inside(u + 1, v) && inside(u, v - 1) && inside(u, v + 1)) {
                            rgb[at] = colour[0]; rgb[at + 1] = colour[1]; rgb[at + 2] = colour[2]
                        } else {
                            let grey = UInt8(min(max(image[source(u, v)], 0), 1) * 255)
                            rgb[at] = grey; rgb[at + 1] = grey; rgb[at + 2] = grey
                        }
                    }
                }
            }
        }
        return (width, height, rgb)
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
