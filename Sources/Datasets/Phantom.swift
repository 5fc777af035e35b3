import Foundation
import SeededRandom

/// The settings of `sparseseg data synth`.
public struct PhantomSettings: Sendable, Equatable, Codable {
    /// Number of cases; case i is acquired at site i mod (number of sites).
    public var cases: Int
    /// The seed: the same settings give a bit-identical dataset.
    public var seed: UInt64
    /// In-plane size S of every slice (S x S pixels).
    public var inPlaneSize: Int
    /// The acquisition sites.
    public var sites: [PhantomSite]

    /// Settings for `cases` cases of S x S slices; the defaults are the quick preset's.
    public init(cases: Int = 50, seed: UInt64 = 1, inPlaneSize: Int = 96, sites: [PhantomSite] = PhantomSite.defaults) {
        self.cases = cases
        self.seed = seed
        self.inPlaneSize = inPlaneSize
        self.sites = sites
    }
}

/// A synthetic T2-weighted prostate MR dataset, the embedded default when no real data is at
/// hand. Each case is a volume of a gland (a smooth, irregular ellipsoid whose cross-section
/// grows from the apex to a widest slice and shrinks toward the base, with a centre that drifts
/// from slice to slice, a darker central gland with nodules inside a brighter peripheral zone
/// and a dark capsule) among confounders: the bright bladder above, the seminal vesicles
/// (gland-like intensity) behind it, the rectum behind the gland, bright fat, dark muscles
/// (obturator internus, levator ani, glutei) and bone (pubis, pelvic side walls). The image is
/// a slice-thickness average of three planes (partial volume), blurred in-plane, multiplied by
/// a smooth bias field, given Rician noise and normalised as imported data is. The mask is
/// the gland at the centre of each slice.
public enum Phantom {
    /// Generates every case; cases are generated in parallel, each from its own derived
    /// random stream, so the result does not depend on scheduling.
    public static func generate(_ settings: PhantomSettings) -> [StoredCase] {
        let results = ResultSlots(count: settings.cases)
        DispatchQueue.concurrentPerform(iterations: settings.cases) { index in
            results.set(index, generateCase(index, settings: settings))
        }
        return results.values
    }

    /// The name of case `index` among `count`: "Case00", "Case01", ... (wider when needed).
    public static func caseID(_ index: Int, count: Int) -> String {
        let width = max(2, String(max(count - 1, 0)).count)
        let digits = String(index)
        return "Case" + String(repeating: "0", count: max(width - digits.count, 0)) + digits
    }

    /// Rician noise, the noise of magnitude MR images: each value becomes the magnitude of the
    /// complex signal (value + n1) + i n2 with n1, n2 independent N(0, sigma^2).
    public static func addRicianNoise(to values: inout [Float], sigma: Float, using rng: inout SeededGenerator) {
        for i in values.indices {
            let (n1, n2) = rng.normalPair()
            let real = values[i] + sigma * n1, imaginary = sigma * n2
            values[i] = (real * real + imaginary * imaginary).squareRoot()
        }
    }

    /// Generates case `index` alone.
    public static func generateCase(_ index: Int, settings: PhantomSettings) -> StoredCase {
        var rng = SeededGenerator(seed: settings.seed).derived("phantom-case", index)
        let site = settings.sites[index % settings.sites.count]
        let model = PhantomAnatomy(site: site, rng: &rng)
        return model.render(id: caseID(index, count: settings.cases), settings: Importer.Settings(inPlaneSize: settings.inPlaneSize), rng: &rng)
    }
}

/// Collects results written from concurrent iterations, each to its own slot.
private final class ResultSlots: @unchecked Sendable {
    // Each slot is written by exactly one iteration and read after all have finished; the lock
    // makes the array's copy-on-write bookkeeping safe.
    private var slots: [StoredCase?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: StoredCase) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [StoredCase] { slots.map { $0! } }
}

/// One row of a ``ValueNoise`` (fixed y and z), from ``ValueNoise/row(_:_:)``.
struct ValueNoiseRow {
    let cell: Double, origin: Double, count: Int
    let columns: [Float]

    @inline(__always) func callAsFunction(_ x: Double) -> Float { self(at: position(x)) }

    /// The lattice column left of x and the smoothstep weight of the next one: the same for
    /// every row, so a render computes it once per pixel column.
    func position(_ x: Double) -> (Int, Float) {
        let u = min(max((x - origin) / cell, 0), Double(count - 2) - 1e-9)
        let i = Int(u), f = u - Double(i)
        return (i, Float(f * f * (3 - 2 * f)))
    }

    @inline(__always) func callAsFunction(at position: (Int, Float)) -> Float {
        columns[position.0] + (columns[position.0 + 1] - columns[position.0]) * position.1
    }
}

// MARK: - Geometry helpers

/// An axis-aligned ellipse in a slice plane (mm).
struct Ellipse {
    var cx, cy, rx, ry: Double

    /// The squared normalised radius of (x, y): below 1 inside.
    @inline(__always) func level(_ x: Double, _ y: Double) -> Double {
        let u = (x - cx) / rx, v = (y - cy) / ry
        return u * u + v * v
    }

    /// Whether (x, y) lies inside the ellipse shrunk by `inset` mm on each axis, its level set
    /// moved by `slack` (a smooth noise value makes organic outlines).
    @inline(__always) func contains(_ x: Double, _ y: Double, inset: Double = 0, slack: Double = 0) -> Bool {
        let reach = 1 + max(slack, 0)
        guard rx > inset, ry > inset, abs(x - cx) < rx * reach, abs(y - cy) < ry * reach else { return false }
        let u = (x - cx) / (rx - inset), v = (y - cy) / (ry - inset)
        return u * u + v * v < 1 + slack
    }
}

/// An axis-aligned ellipsoid (mm).
struct Ellipsoid {
    var cx, cy, cz, rx, ry, rz: Double

    /// Its cross-section with the plane at height z, nil when the plane misses it.
    func section(_ z: Double) -> Ellipse? {
        let w = (z - cz) / rz
        guard abs(w) < 1 else { return nil }
        let scale = (1 - w * w).squareRoot()
        return Ellipse(cx: cx, cy: cy, rx: rx * scale, ry: ry * scale)
    }
}

/// A smooth curve through values at evenly spaced control points over t in [-1, 1]
/// (Catmull-Rom, clamped at the ends).
struct ControlCurve {
    var values: [Double]

    init(_ rng: inout SeededGenerator, count: Int = 5, mean: Double, spread: Double) {
        values = (0..<count).map { _ in mean + spread * (2 * rng.uniformDouble() - 1) }
    }

    func callAsFunction(_ t: Double) -> Double {
        let n = values.count
        let u = (min(max(t, -1), 1) + 1) / 2 * Double(n - 1)
        let i = min(Int(u), n - 2), f = u - Double(i)
        let p0 = values[max(i - 1, 0)], p1 = values[i], p2 = values[i + 1], p3 = values[min(i + 2, n - 1)]
        let f2 = f * f, f3 = f2 * f
        return 0.5 * (2 * p1 + (p2 - p0) * f + (2 * p0 - 5 * p1 + 4 * p2 - p3) * f2 + (3 * p1 - p0 - 3 * p2 + p3) * f3)
    }
}

/// Smooth 3D value noise in [-1, 1]: random values on a lattice of `cell` mm, interpolated
/// trilinearly with smoothstep weights.
struct ValueNoise {
    let cell: Double
    let origin: (Double, Double, Double)
    let nx, ny, nz: Int
    let lattice: [Float]

    init(_ rng: inout SeededGenerator, cell: Double, extent: (x: Double, y: Double, z: Double), origin: (Double, Double, Double)) {
        self.cell = cell
        self.origin = origin
        nx = Int(extent.x / cell) + 3
        ny = Int(extent.y / cell) + 3
        nz = Int(extent.z / cell) + 3
        var values = [Float](repeating: 0, count: nx * ny * nz)
        for i in values.indices { values[i] = 2 * rng.uniform() - 1 }
        lattice = values
    }

    /// The noise along the row at (y, z), as x varies: the y and z interpolation done once
    /// per lattice column, so that a pixel costs one interpolation along x (the render
    /// samples every native pixel of every slice).
    func row(_ y: Double, _ z: Double) -> ValueNoiseRow {
        let v = min(max((y - origin.1) / cell, 0), Double(ny - 2) - 1e-9)
        let w = min(max((z - origin.2) / cell, 0), Double(nz - 2) - 1e-9)
        let j = Int(v), k = Int(w)
        func smooth(_ f: Double) -> Float { Float(f * f * (3 - 2 * f)) }
        let fy = smooth(v - Double(j)), fz = smooth(w - Double(k))
        let columns = (0..<nx).map { i in
            func at(_ b: Int, _ c: Int) -> Float { lattice[((k + c) * ny + (j + b)) * nx + i] }
            let y0 = at(0, 0) + (at(1, 0) - at(0, 0)) * fy, y1 = at(0, 1) + (at(1, 1) - at(0, 1)) * fy
            return y0 + (y1 - y0) * fz
        }
        return ValueNoiseRow(cell: cell, origin: origin.0, count: nx, columns: columns)
    }
}
