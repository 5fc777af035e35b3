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
