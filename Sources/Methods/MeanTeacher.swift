import Experiments
import SeededRandom
import TrainingCore

/// Mean Teacher (Tarvainen & Valpola 2017) as SSL4MIS's train_mean_teacher_2D.py:
/// L = L_sup + w(t) * mean((p_s[unlabelled] - p_t)^2), p_t the softmax of the EMA teacher on
/// the unlabelled slices plus clamped Gaussian noise; EMA update after every step.
public struct MeanTeacher: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "mt", summary: "Mean Teacher: MSE consistency with an EMA teacher on noisy unlabelled slices", relativeCost: 2.5,
        schema: SettingsSchema(name: "method mt", specs: TeacherSettings.specs), make: { MeanTeacher() })

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let teacher = try TeacherTraining(context)
        try teacher.run { student, teacherNet, l, u, step, settings in
            let b = l.images.batch
            let logits = student.forward(Tensor.concatBatch([l.images, u]), recording: true)
            let supervised = UNet.diceCrossEntropy(logits: logits.batchSlice(0..<b), labels: l.labels, gamma: context.training.gamma)
            let ps = Softmax.forward(logits)
            let noisy = TensorOps.addNoise(u, std: settings.noiseStd, clip: settings.noiseClip, rng: &step.random)
            // SSL4MIS leaves the teacher in training mode (dropout and batch statistics on).
            let pt = Softmax.forward(teacherNet.forward(noisy))
            let consistency = Losses.meanSquaredError(ps.batchSlice(b..<(2 * b)), pt)
            let w = Float(settings.weight(step.iteration))
            let dps = Tensor.concatBatch([Tensor(shape: pt.shape), Ops.scale(consistency.gradient, by: w)])
            let gradient = Ops.add(Tensor.concatBatch([supervised.gradient, Tensor(shape: pt.shape)]), Softmax.backward(dps, probabilities: ps))
            return (gradient, ["loss": supervised.value + w * consistency.value, "supervised": supervised.value, "consistency": consistency.value])
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [teacher.student]))
    }
}

/// The settings shared by the EMA-teacher methods (MT, UA-MT, ICT), SSL4MIS's defaults.
struct TeacherSettings {
    static let specs: [SettingSpec] = [
        SettingSpec("consistency_max", .number(0...1000), default: .number(0.1), help: "w_max of the consistency ramp (SSL4MIS: 0.1)"),
        SettingSpec("consistency_rampup", .number(0...1e7), default: .number(200), help: "ramp length T in units (SSL4MIS: 200)"),
        SettingSpec("rampup_unit_iterations", .int(1...1_000_000), default: .int(150), help: "iterations per ramp unit (SSL4MIS: 150)"),
        SettingSpec("ema_decay", .number(0...1), default: .number(0.99), help: "EMA alpha cap (SSL4MIS: 0.99)"),
        SettingSpec("noise_std", .number(0...10), default: .number(0.1), help: "teacher input noise std (SSL4MIS: 0.1)"),
        SettingSpec("noise_clip", .number(0...10), default: .number(0.2), help: "teacher input noise clamp (SSL4MIS: 0.2)"),
    ]

    let consistencyMax: Double, rampLength: Double, unitIterations: Int, emaDecay: Float, noiseStd: Float, noiseClip: Float

    init(_ r: SettingsReader) {
        consistencyMax = r.double("consistency_max")
        rampLength = r.double("consistency_rampup")
        unitIterations = r.int("rampup_unit_iterations")
        emaDecay = r.float("ema_decay")
        noiseStd = r.float("noise_std")
        noiseClip = r.float("noise_clip")
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

    init(_ context: MethodContext) throws {
        self.context = context
        student = context.makeUNet("student")
        teacher = context.makeUNet("teacher")
        settings = TeacherSettings(context.settings)
    }

    typealias Step = (UNet, UNet, SliceBatch, Tensor, inout PhaseStep, TeacherSettings) -> (Tensor, [String: Float])

    func run(_ body: Step) throws {
        let batcher = context.makeBatcher()
        let steps = batcher.stepsPerEpoch(context.training.stepsPerEpoch)
        let epochs = context.training.epochs
        let optimiser = context.training.makeOptimiser(student.parameters)
        context.session.plannedSteps += epochs * steps
        try context.session.runPhase(
            "train", epochs: epochs, stepsPerEpoch: steps, models: [("student", student), ("teacher", teacher)],
            optimisers: [("optimiser", optimiser)], learningRate: context.training.schedule(stepsPerEpoch: steps, epochs: epochs)
        ) { step in
            let labelled = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
            let unlabelled = batcher.unlabelledBatch(epoch: step.epoch, step: step.step, rng: &step.random)
            student.setTraining(true)
            teacher.setTraining(true)
            student.zeroGradients()
            let (gradient, losses) = body(student, teacher, labelled, unlabelled, &step, settings)
            student.backward(gradient)
            optimiser.step()
            ExponentialMovingAverage.update(teacher: teacher, student: student, alpha: settings.emaDecay, iteration: step.iteration)
            return losses
        }
    }
}
