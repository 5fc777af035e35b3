import SeededRandom

/// One step of a phase as the method's step function sees it.
public struct PhaseStep {
    /// 0-based epoch of the phase and step of the epoch.
    public let epoch: Int
    public let step: Int
    /// 0-based step of the phase (epoch * stepsPerEpoch + step), for ramps and EMA.
    public let iteration: Int
    /// Steps of the whole phase.
    public let totalIterations: Int
    /// The epoch's random stream: derived from (job seed, phase, epoch), so a resumed epoch
    /// draws exactly what an uninterrupted one would.
    public var random: SeededGenerator
    /// What the step reports besides its losses (a consistency weight, a threshold), by name:
    /// scalars.csv logs it beside the losses; losses.csv and the progress do not. Empty at the
    /// start of every step.
    public var scalars: [String: Float] = [:]
}
