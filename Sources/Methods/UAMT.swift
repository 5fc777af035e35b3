import Foundation
import Experiments
import TrainingCore

/// UA-MT (Yu et al. 2019) as SSL4MIS's train_uncertainty_aware_mean_teacher_2D.py: Mean
/// Teacher whose consistency counts only the pixels where the teacher is certain. K
/// Monte-Carlo dropout passes of the teacher, each with fresh noise, give p_bar; the
/// uncertainty u = -sum(p_bar ln(p_bar + 1e-6)) is compared with the threshold
/// (0.75 + 0.25 sigmoid_ramp(it, max_it)) ln 2; L_cons = sum(mask (p_s - p_t)^2) / (2 sum(mask) + 1e-16).
public struct UAMT: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "ua-mt", summary: "Uncertainty-aware Mean Teacher: consistency on pixels where K dropout passes of the teacher agree",
        relativeCost: 5.5,
        schema: SettingsSchema(name: "method ua-mt", TeacherSettings.all + [uncertaintyPasses, thresholdStart]), make: { UAMT() })

    static let uncertaintyPasses = Setting<Int>("uncertainty_passes", 1...64, default: 8, help: "Monte-Carlo dropout passes K of the teacher (SSL4MIS: 8)")
    static let thresholdStart = Setting<Double>("threshold_start", 0...1, default: 0.75,
                                                help: "threshold at the start, in units of ln 2 (SSL4MIS: 0.75, ramped to 1)")

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let teacher = try TeacherTraining(context)
        let passes = context.settings[Self.uncertaintyPasses]
        let start = context.settings[Self.thresholdStart]
        try teacher.run { student, teacherNet, l, u, step, settings in
            let b = l.images.batch
            let logits = student.forward(Tensor.concatBatch([l.images, u]), recording: true)
            let supervised = UNet.diceCrossEntropy(logits: logits.batchSlice(0..<b), labels: l.labels, gamma: context.training.gamma)
            let ps = Softmax.forward(logits)
            let pt = Softmax.forward(teacherNet.forward(TensorOps.addNoise(u, std: settings.noiseStd, clip: settings.noiseClip, rng: &step.random)))
            var mean = Tensor(shape: pt.shape)
            for _ in 0..<passes {
                let noisy = TensorOps.addNoise(u, std: settings.noiseStd, clip: settings.noiseClip, rng: &step.random)
                mean = Ops.add(mean, Softmax.forward(teacherNet.forward(noisy)))
            }
            mean = Ops.scale(mean, by: 1 / Float(passes))
            let threshold = Ramps.uncertaintyThreshold(iteration: step.iteration, totalIterations: step.totalIterations, start: start)
            let mask = UAMT.certainMask(mean, threshold: threshold)
            let (value, gradient) = UAMT.maskedConsistency(student: ps.batchSlice(b..<(2 * b)), teacher: pt, mask: mask)
            let w = Float(settings.weight(step.iteration))
            let dps = Tensor.concatBatch([Tensor(shape: pt.shape), Ops.scale(gradient, by: w)])
            let total = Ops.add(Tensor.concatBatch([supervised.gradient, Tensor(shape: pt.shape)]), Softmax.backward(dps, probabilities: ps))
            let certain = Float(mask.reduce(0, +)) / Float(max(mask.count, 1))
            step.scalars["uncertainty_threshold"] = Float(threshold)
            student.backward(total)
            return ["loss": supervised.value + w * value, "supervised": supervised.value, "consistency": value, "certain_fraction": certain]
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [teacher.student]))
    }

    /// 1 where the entropy of `pBar [B, K, H, W]` (ln(p + 1e-6)) is below `threshold`: `[B*H*W]`.
    static func certainMask(_ pBar: Tensor, threshold: Double) -> [Float] {
        let (classes, plane) = (pBar.channels, pBar.height * pBar.width)
        var mask = [Float](repeating: 0, count: pBar.batch * plane)
        for b in 0..<pBar.batch {
            for i in 0..<plane {
                var u = 0.0
                for k in 0..<classes {
                    let p = Double(pBar.scalars[(b * classes + k) * plane + i])
                    u -= p * log(p + 1e-6)
                }
                mask[b * plane + i] = u < threshold ? 1 : 0
            }
        }
        return mask
    }

    /// sum(mask (s - t)^2) / (2 sum(mask) + 1e-16), the mask broadcast over classes, and its
    /// gradient with respect to `student`.
    static func maskedConsistency(student s: Tensor, teacher t: Tensor, mask: [Float]) -> (Float, Tensor) {
        let (classes, plane) = (s.channels, s.height * s.width)
        let denominator = 2 * Double(mask.reduce(0, +)) + 1e-16
        var total = 0.0
        var gradient = Tensor(shape: s.shape)
        for b in 0..<s.batch {
            for k in 0..<classes {
                for i in 0..<plane {
                    let index = (b * classes + k) * plane + i
                    let m = Double(mask[b * plane + i])
                    let d = Double(s.scalars[index] - t.scalars[index])
                    total += m * d * d
                    gradient.scalars[index] = Float(2 * m * d / denominator)
                }
            }
        }
        return (Float(total / denominator), gradient)
    }
}
