import Foundation

/// Learning-rate schedules and the consistency-weight ramp of docs/methods.md.
public enum Schedule {
    /// Step decay: base * factor^floor(epoch / every) (docs/methods.md: halve every 30 epochs).
    public static func stepDecay(base: Float, epoch: Int, every: Int, factor: Float = 0.5) -> Float {
        precondition(every > 0, "stepDecay: every must be positive")
        return base * pow(factor, Float(epoch / every))
    }

    /// Poly decay: base * (1 - iteration / total)^power (SSL4MIS: power 0.9), 0 past the end.
    public static func poly(base: Float, iteration: Int, total: Int, power: Float = 0.9) -> Float {
        precondition(total > 0, "poly: total must be positive")
        return base * pow(max(0, 1 - Float(iteration) / Float(total)), power)
    }

    /// The sigmoid ramp-up exp(-5 (1 - t/T)^2) for t < T, 1 from T on (1 when T is 0).
    public static func sigmoidRampUp(_ t: Double, length: Double) -> Double {
        guard length > 0 else { return 1 }
        let phase = 1 - min(max(t, 0), length) / length
        return exp(-5 * phase * phase)
    }
}
