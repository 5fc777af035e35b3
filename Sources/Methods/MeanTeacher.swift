import Experiments
import SeededRandom
import TrainingCore

/// Mean Teacher (Tarvainen & Valpola 2017) as SSL4MIS's train_mean_teacher_2D.py:
/// L = L_sup + w(t) * mean((p_s[unlabelled] - p_t)^2), p_t the softmax of the EMA teacher on
/// the unlabelled slices plus clamped Gaussian noise; EMA update after every step.
///
/// Two registered ablations isolate what MT adds to FS-LCS (docs/methods.md):
/// - `mt-separate-bn`: the student forwards the labelled and the unlabelled half in two passes,
///   so the batch statistics of the supervised pass come from labelled slices only;
/// - `mt-no-consistency`: MT with the consistency weight fixed at 0: the same steps, batches
///   and teacher, but the unlabelled half only shapes the student's batch statistics.
public struct MeanTeacher: SegmentationMethod {
    /// MT or one of its ablations.
    public enum Variant: Sendable {
        case standard, separateBatchNorm, noConsistency
    }

    /// The variant this instance trains.
    public let variant: Variant

    public static let registration = MethodRegistration(
        name: "mt", summary: "Mean Teacher: MSE consistency with an EMA teacher on noisy unlabelled slices", relativeCost: 2.5,
        schema: SettingsSchema(name: "method mt", TeacherSettings.all), make: { MeanTeacher(variant: .standard) })

    /// Ablation: the labelled and unlabelled halves in separate student passes.
    public static let separateBatchNormRegistration = MethodRegistration(
        name: "mt-separate-bn", summary: "ablation of MT: labelled and unlabelled slices in separate student passes (batch statistics not shared)",
        relativeCost: 2.5, schema: SettingsSchema(name: "method mt-separate-bn", TeacherSettings.all),
        make: { MeanTeacher(variant: .separateBatchNorm) })

    /// Ablation: MT's training with the consistency weight at 0.
    public static let noConsistencyRegistration = MethodRegistration(
        name: "mt-no-consistency", summary: "ablation of MT: consistency weight 0 (mixed batches, no consistency term)",
        relativeCost: 2.5, schema: SettingsSchema(name: "method mt-no-consistency", TeacherSettings.teacherOnly),
        make: { MeanTeacher(variant: .noConsistency) })

    public init(variant: Variant = .standard) { self.variant = variant }

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let teacher = try TeacherTraining(context, consistency: variant != .noConsistency)
        let separate = variant == .separateBatchNorm
        try teacher.run { student, teacherNet, l, u, step, settings in
            let noisy = TensorOps.addNoise(u, std: settings.noiseStd, clip: settings.noiseClip, rng: &step.random)
            // SSL4MIS leaves the teacher in training mode (dropout and batch statistics on).
            let pt = Softmax.forward(teacherNet.forward(noisy))
            let w = Float(settings.weight(step.iteration))
            let (supervised, consistency) = MeanTeacher.studentStep(student, labelled: l, unlabelled: u, teacherProbabilities: pt, weight: w,
                                                                    gamma: context.training.gamma, separateBatchNorm: separate)
            return ["loss": supervised + w * consistency, "supervised": supervised, "consistency": consistency]
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [teacher.student]))
    }

    /// The student's part of a step: L_sup (Dice + gamma CE) on the labelled half plus
    /// `weight` times the MSE between the student's softmax on the unlabelled half and
    /// `teacherProbabilities`, forwarded and backpropagated (the gradients accumulate).
    /// SSL4MIS forwards both halves in one pass, so BatchNorm normalises them together; with
    /// `separateBatchNorm`, two passes, so the labelled half is normalised by its own
    /// statistics. Returns the two loss terms.
    static func studentStep(_ student: UNet, labelled l: SliceBatch, unlabelled u: Tensor, teacherProbabilities pt: Tensor,
                            weight w: Float, gamma: Float, separateBatchNorm: Bool) -> (supervised: Float, consistency: Float) {
        let b = l.images.batch
        // logits [2B, 2, H, W]: the labelled half first.
        let logits = separateBatchNorm ? Tensor.concatBatch([student.forward(l.images, recording: true), student.forward(u, recording: true)])
                                       : student.forward(Tensor.concatBatch([l.images, u]), recording: true)
        let supervised = UNet.diceCrossEntropy(logits: logits.batchSlice(0..<b), labels: l.labels, gamma: gamma)
        let ps = Softmax.forward(logits)
        let consistency = Losses.meanSquaredError(ps.batchSlice(b..<(2 * b)), pt)
        let dps = Tensor.concatBatch([Tensor(shape: pt.shape), Ops.scale(consistency.gradient, by: w)])
        let gradient = Ops.add(Tensor.concatBatch([supervised.gradient, Tensor(shape: pt.shape)]), Softmax.backward(dps, probabilities: ps))
        if separateBatchNorm {
            // Recorded forwards are consumed last in, first out.
            student.backward(gradient.batchSlice(b..<(2 * b)))
            student.backward(gradient.batchSlice(0..<b))
        } else {
            student.backward(gradient)
        }
        return (supervised.value, consistency.value)
    }
}

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

/// The training loop of the EMA-teacher methods: a student and its teacher, B labelled + B
/// unlabelled slices per step; the method's step returns the gradient of the loss with
/// respect to the student's recorded logits, then the student steps and the teacher follows.
final class TeacherTraining {
    let context: MethodContext
    let student: UNet
    let teacher: UNet
    let settings: TeacherSettings

    init(_ context: MethodContext, consistency: Bool = true) throws {
        self.context = context
        student = context.makeUNet("student")
        teacher = context.makeUNet("teacher")
        settings = TeacherSettings(context.settings, consistency: consistency)
    }

    /// One step of a method: given student, teacher, the labelled and the unlabelled batch, it
    /// runs the student's recorded forwards and their backwards (accumulating the student's
    /// gradients) and returns the loss terms to log.
    typealias Step = (UNet, UNet, SliceBatch, Tensor, inout PhaseStep, TeacherSettings) -> [String: Float]

    func run(_ body: Step) throws {
        let batcher = context.makeBatcher()
        let steps = batcher.stepsPerEpoch(context.training.stepsPerEpoch)
        let epochs = context.training.epochs
        let optimiser = context.training.makeOptimiser(student.parameters)
        context.session.plannedSteps += epochs * steps
        try context.session.runPhase(
            "train", epochs: epochs, stepsPerEpoch: steps, models: [("student", student), ("teacher", teacher)],
            optimisers: [("optimiser", optimiser)], learningRate: context.training.schedule(stepsPerEpoch: steps, epochs: epochs),
            validating: UNetPredictor(networks: [student])
        ) { step in
            let labelled = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
            let unlabelled = batcher.unlabelledBatch(epoch: step.epoch, step: step.step, rng: &step.random)
            student.setTraining(true)
            teacher.setTraining(true)
            student.zeroGradients()
            let losses = body(student, teacher, labelled, unlabelled, &step, settings)
            step.scalars["consistency_weight"] = Float(settings.weight(step.iteration))
            optimiser.step()
            ExponentialMovingAverage.update(teacher: teacher, student: student, alpha: settings.emaDecay, iteration: step.iteration)
            return losses
        }
    }
}
