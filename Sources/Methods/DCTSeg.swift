import Experiments
import TrainingCore

/// DCT-Seg: deep co-training for segmentation (Peng et al., Pattern Recognition 2020; the
/// reference implementation is jizongFox/Deep-Co-Training-for-Semi-Supervised-Image-Segmentation),
/// not SSL4MIS's single-model rotation variant. Two U-Nets f1, f2:
/// L = sum_i CE(f_i(x_l), y_l) + l_cot * JSD(p_1, p_2 on unlabelled) + l_adv * L_adv, where
/// the adversarial view of f_i is x_adv_i = clamp(x + eps sign(grad_x CE(f_i(x), y)), 0, 1)
/// (f_i in evaluation mode; y the ground truth on labelled slices, argmax f_i(x) on
/// unlabelled ones) and L_adv averages KL(stopgrad(f_i(x)) || f_j(x_adv_i)) over labelled and
/// unlabelled slices and both directions. Both weights ramp with the epoch. Predictions are
/// the mean of both networks' softmax.
public struct DCTSeg: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "dct-seg", summary: "Deep co-training (Peng et al.): two U-Nets, JSD agreement and adversarial views", relativeCost: 10.5,
        schema: SettingsSchema(name: "method dct-seg", [cotrainingMax, adversarialMax, rampEpochs, epsilon]), make: { DCTSeg() })

    static let cotrainingMax = Setting<Double>("cotraining_max", 0...1000, default: 1, help: "l_cot_max, the JSD weight (Peng et al.: 1)")
    static let adversarialMax = Setting<Double>("adversarial_max", 0...1000, default: 0.05, help: "l_adv_max (Peng et al.: 0.05)")
    static let rampEpochs = Setting<Double>("ramp_epochs", 0...1e6, default: 80, help: "epochs of the sigmoid ramp of both weights (Peng et al.: 80)")
    static let epsilon = Setting<Double>("epsilon", 0...1, default: 0.05, help: "FGSM step of the adversarial views (Peng et al.: 0.05)")

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let nets = [context.makeUNet("dct-0"), context.makeUNet("dct-1")]
        let optimisers = nets.map { context.training.makeOptimiser($0.parameters) }
        let batcher = context.makeBatcher()
        let steps = batcher.stepsPerEpoch(context.training.stepsPerEpoch)
        let epochs = context.training.epochs
        let r = context.settings
        let (cotMax, advMax, ramp, epsilon) = (r[Self.cotrainingMax], r[Self.adversarialMax], r[Self.rampEpochs], Float(r[Self.epsilon]))
        context.session.plannedSteps += epochs * steps
        try context.session.runPhase(
            "train", epochs: epochs, stepsPerEpoch: steps, models: [("dct-0", nets[0]), ("dct-1", nets[1])],
            optimisers: [("optimiser-0", optimisers[0]), ("optimiser-1", optimisers[1])],
            learningRate: context.training.schedule(stepsPerEpoch: steps, epochs: epochs),
            validating: UNetPredictor(networks: nets)
        ) { step in
            let l = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
            let u = batcher.unlabelledBatch(epoch: step.epoch, step: step.step, rng: &step.random)
            let b = l.images.batch
            let x = Tensor.concatBatch([l.images, u])
            let adversarial = nets.map { DCTSeg.adversarialView($0, x: x, labelled: l.labels, epsilon: epsilon) }
            for net in nets {
                net.setTraining(true)
                net.zeroGradients()
            }
            // Recorded forwards per net: on x first, then on the other net's adversarial view.
            let logits = nets.map { $0.forward(x, recording: true) }
            let advLogits = (0..<2).map { j in nets[j].forward(adversarial[1 - j], recording: true) }
            let p = logits.map(Softmax.forward)

            var dlogits = [Tensor](repeating: Tensor(shape: logits[0].shape), count: 2)
            var supervised: Float = 0
            for i in 0..<2 {
                let ce = Losses.crossEntropy(logits: logits[i].batchSlice(0..<b), labels: l.labels)
                supervised += ce.value
                dlogits[i] = Ops.add(dlogits[i], Tensor.concatBatch([ce.gradient, Tensor(shape: ce.gradient.shape)]))
            }
            let lcot = Float(Ramps.coTrainingWeight(epoch: step.epoch, maximum: cotMax, length: ramp))
            let ladv = Float(Ramps.coTrainingWeight(epoch: step.epoch, maximum: advMax, length: ramp))
            step.scalars["cotraining_weight"] = lcot
            step.scalars["adversarial_weight"] = ladv
            let jsd = Losses.jensenShannon([p[0].batchSlice(b..<(2 * b)), p[1].batchSlice(b..<(2 * b))])
            for i in 0..<2 {
                let dp = Tensor.concatBatch([Tensor(shape: jsd.gradients[i].shape), Ops.scale(jsd.gradients[i], by: lcot)])
                dlogits[i] = Ops.add(dlogits[i], Softmax.backward(dp, probabilities: p[i]))
            }
            // KL(stopgrad p_i || f_j(x_adv_i)) over all 2B slices (labelled and unlabelled
            // halves weigh equally), averaged over the two directions.
            var adv: Float = 0
            var dadv: [Tensor] = []
            for j in 0..<2 {
                let logQ = Softmax.logSoftmax(advLogits[j])
                let kl = Losses.klDivergence(target: p[1 - j], logQ: logQ)
                adv += kl.value / 2
                dadv.append(Softmax.logSoftmaxBackward(Ops.scale(kl.logQ, by: ladv / 2), logProbabilities: logQ))
            }
            for j in 0..<2 {
                nets[j].backward(dadv[j])
                nets[j].backward(dlogits[j])
                optimisers[j].step()
            }
            return ["loss": supervised + lcot * jsd.value + ladv * adv, "supervised": supervised, "jsd": jsd.value, "adversarial": adv]
        }
        return TrainedMethod(predictor: UNetPredictor(networks: nets))
    }

    /// x_adv = clamp(x + epsilon sign(grad_x CE(f(x), y)), 0, 1) with f in evaluation mode, y
    /// the labels of the first rows and f's own argmax on the others.
    static func adversarialView(_ net: UNet, x: Tensor, labelled: [Int32], epsilon: Float) -> Tensor {
        net.setTraining(false)
        defer { net.setTraining(true) }
        let logits = net.forward(x, recording: true)
        let own = Softmax.argmax(logits)
        let targets = labelled + own[labelled.count...]
        let ce = Losses.crossEntropy(logits: logits, labels: Array(targets))
        let dx = net.backward(ce.gradient, inputGradient: true)!
        // Only the input gradient is wanted: drop what the pass added to the parameters.
        net.zeroGradients()
        return Ops.clamp(Ops.add(x, Ops.scale(Ops.sign(dx), by: epsilon)), 0, 1)
    }
}
