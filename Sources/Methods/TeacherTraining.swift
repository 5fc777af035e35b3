import Experiments
import SeededRandom
import TrainingCore

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
