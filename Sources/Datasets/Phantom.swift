import Foundation
import SeededRandom

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
