/// Where a job is, for progress bars and the distributed runner.
public struct TrainingProgress: Sendable {
    /// The training phase ("train", "semi-warmup", "registration", ...).
    public let phase: String
    /// 1-based epoch of the phase, and the phase's epochs.
    public let epoch: Int
    public let epochs: Int
    /// 1-based step of the epoch, and the epoch's steps.
    public let step: Int
    public let stepsPerEpoch: Int
    /// The losses of this step, by name ("loss", "supervised", "consistency", ...).
    public let losses: [String: Float]
    /// Optimiser steps of the whole job so far, and planned (0 when the method did not say).
    public let stepsDone: Int
    public let stepsPlanned: Int
    /// Estimated seconds to the end of training, nil until a step has been timed.
    public let etaSeconds: Double?
}
