import Experiments

/// The settings shared by the EMA-teacher methods (MT, UA-MT, ICT), SSL4MIS's defaults.
struct TeacherSettings {
    static let consistencyMax = Setting<Double>("consistency_max", 0...1000, default: 0.1, help: "w_max of the consistency ramp (SSL4MIS: 0.1)")
    static let consistencyRampup = Setting<Double>("consistency_rampup", 0...1e7, default: 200, help: "ramp length T in units (SSL4MIS: 200)")
    static let rampupUnitIterations = Setting<Int>("rampup_unit_iterations", 1...1_000_000, default: 150, help: "iterations per ramp unit (SSL4MIS: 150)")
    static let emaDecay = Setting<Double>("ema_decay", 0...1, default: 0.99, help: "EMA alpha cap (SSL4MIS: 0.99)")
    static let noiseStd = Setting<Double>("noise_std", 0...10, default: 0.1, help: "teacher input noise std (SSL4MIS: 0.1)")
    static let noiseClip = Setting<Double>("noise_clip", 0...10, default: 0.2, help: "teacher input noise clamp (SSL4MIS: 0.2)")

    /// The consistency ramp and the teacher's settings.
    static let all: [any SettingDeclaration] = [consistencyMax, consistencyRampup, rampupUnitIterations] + teacherOnly

    /// The teacher's settings alone (a method without a consistency term).
    static let teacherOnly: [any SettingDeclaration] = [emaDecay, noiseStd, noiseClip]

    let consistencyMax: Double, rampLength: Double, unitIterations: Int, emaDecay: Float, noiseStd: Float, noiseClip: Float

    /// The settings of `r`; without `consistency`, a weight of 0 at every step.
    init(_ r: ResolvedSettings, consistency: Bool = true) {
        consistencyMax = consistency ? r[Self.consistencyMax] : 0
        rampLength = consistency ? r[Self.consistencyRampup] : 0
        unitIterations = consistency ? r[Self.rampupUnitIterations] : 1
        emaDecay = Float(r[Self.emaDecay])
        noiseStd = Float(r[Self.noiseStd])
        noiseClip = Float(r[Self.noiseClip])
    }

    func weight(_ iteration: Int) -> Double {
        Ramps.consistencyWeight(iteration: iteration, maximum: consistencyMax, length: rampLength, unitIterations: unitIterations)
    }
}
