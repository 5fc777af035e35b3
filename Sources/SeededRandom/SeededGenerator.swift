import Foundation

/// A fast, seeded pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018), its state
/// filled from the seed by SplitMix64 as the authors recommend. Every random draw in the
/// project (initial weights, dropout, noise, augmentation, folds, the phantom) goes through one
/// of these, so a fixed seed gives a bit-identical run.
///
/// A value type: copying a generator copies its stream. Derive independent streams for
/// separate consumers with ``derived(_:)`` rather than sharing one generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// An independent generator for a named consumer, for example `derived("dropout")` or
    /// `derived("fold", 3)`: its stream is a function of this generator's current state, the
    /// label and the index. Derive from a generator made for that purpose (a run's root seed)
    /// before drawing from it, so that adding a consumer never shifts another's stream.
    public func derived(_ label: String, _ index: Int = 0) -> SeededGenerator {
        // FNV-1a over the label, mixed with the index and this generator's state.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash ^= UInt64(bitPattern: Int64(index)) &* 0x9E37_79B9_7F4A_7C15
        return SeededGenerator(seed: hash ^ state.0 ^ rotate(state.2, 32))
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal draw (Box-Muller on two uniform Doubles).
    public mutating func normal() -> Float {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - uniformDouble(), u2 = uniformDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Two independent standard normal draws by Marsaglia's polar method: one logarithm and no
    /// trigonometry per pair, for loops that need two draws per element (Rician noise on every
    /// voxel). Its stream differs from two ``normal()`` calls.
    public mutating func normalPair() -> (Float, Float) {
        // In Float throughout: the draws are Float, and Float's logarithm is the cheaper one.
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            // The point must fall inside the unit disc (and not on its centre): about 79% do.
            guard s < 1, s > 0 else { continue }
            let scale = (-2 * log(s) / s).squareRoot()
            return (u * scale, v * scale)
        }
    }

    /// A Gamma(shape, 1) draw (Marsaglia and Tsang, 2000; for shape < 1 boosted by U^(1/shape)).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "Gamma shape must be positive")
        if shape < 1 {
            let u = 1 - uniformDouble()
            return gamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = Double(normal())
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - uniformDouble()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// A Beta(a, b) draw, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x / (x + y)
    }
}
