import Experiments
import TrainingCore

/// ICT (Verma et al. 2019) as SSL4MIS's train_interpolation_consistency_training_2D.py: the
/// unlabelled batch is split into u0 and u1, mixed per sample with lambda ~ Beta(a, a); the
/// student's softmax on the mix is pulled (MSE) toward the same mix of the EMA teacher's
/// softmax on u0 and u1.
public struct ICT: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "ict", summary: "Interpolation Consistency Training: student on mixed slices vs the mixed EMA-teacher outputs",
        relativeCost: 2.8,
        schema: SettingsSchema(name: "method ict", TeacherSettings.all + [alpha]), make: { ICT() })

    static let alpha = Setting<Double>("ict_alpha", 0.001...100, default: 0.2, help: "lambda ~ Beta(a, a) (SSL4MIS: 0.2)")

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        guard context.training.batchSize >= 2 else {
            throw TrainingError(file: "(job settings)", message: "ict needs training.batch_size >= 2 to split the unlabelled batch, given \(context.training.batchSize)")
        }
        let teacher = try TeacherTraining(context)
        let alpha = context.settings[Self.alpha]
        try teacher.run { student, teacherNet, l, u, step, _ in
            let b = l.images.batch, half = b / 2
            let (u0, u1) = (u.batchSlice(0..<half), u.batchSlice(half..<(2 * half)))
            let lambdas = (0..<half).map { _ in Float(step.random.beta(alpha, alpha)) }
            let mixed = ICT.mix(u0, u1, lambdas)
            // As SSL4MIS: one student pass on the labelled slices and the mixed slices together,
            // so the batch statistics are those of one batch, as for MT and UA-MT.
            let logits = student.forward(Tensor.concatBatch([l.images, mixed]), recording: true)
            let supervised = UNet.diceCrossEntropy(logits: logits.batchSlice(0..<b), labels: l.labels, gamma: context.training.gamma)
            let p = Softmax.forward(logits)
            let pm = p.batchSlice(b..<(b + half))
            let target = ICT.mix(Softmax.forward(teacherNet.forward(u0)), Softmax.forward(teacherNet.forward(u1)), lambdas)
            let consistency = Losses.meanSquaredError(pm, target)
            let w = Float(teacher.settings.weight(step.iteration))
            let dp = Tensor.concatBatch([Tensor(shape: supervised.gradient.shape), Ops.scale(consistency.gradient, by: w)])
            let gradient = Ops.add(Tensor.concatBatch([supervised.gradient, Tensor(shape: pm.shape)]), Softmax.backward(dp, probabilities: p))
            student.backward(gradient)
            return ["loss": supervised.value + w * consistency.value, "supervised": supervised.value, "consistency": consistency.value]
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [teacher.student]))
    }

    /// (1 - lambda_i) a_i + lambda_i b_i for each sample i.
    static func mix(_ a: Tensor, _ b: Tensor, _ lambdas: [Float]) -> Tensor {
        var out = a
        let per = a.count / a.batch
        for i in 0..<a.count {
            let lambda = lambdas[i / per]
            out.scalars[i] = (1 - lambda) * a.scalars[i] + lambda * b.scalars[i]
        }
        return out
    }
}
