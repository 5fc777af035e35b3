import Datasets
import Experiments
import Foundation
import HDF5
import TrainingCore

/// The paper's method, in four stages (docs/methods.md):
/// 1. y_SEMI: a U-Net trained on the central slices, then self-trained on labelled +
///    unlabelled slices whose targets are its own argmax, regenerated at every step;
/// 2. y_SSL: a VoxelMorph-like registration network trained without labels on adjacent
///    slices, whose fields propagate each central mask through its volume;
/// 3. y_final = y_SEMI AND y_SSL (or the ablation's rule);
/// 4. the final U-Net trained on the central masks and y_final, the only network used for
///    inference.
/// y_SEMI, y_SSL and y_final are saved as HDF5 masks; the semi-supervised U-Net, the
/// registration network and the final U-Net as checkpoints.
public struct Ours: SegmentationMethod {
    /// The fusion rule of this registration.
    public let fusion: PseudoLabelFusion

    public init(fusion: PseudoLabelFusion) { self.fusion = fusion }

    /// The variant of Ours: the paper's intersection or one of the ablations.
    public enum Variant: Sendable {
        case intersection, semiOnly, sslOnly, union
        var name: String {
            switch self {
            case .intersection: "ours"
            case .semiOnly: "ours-semi-only"
            case .sslOnly: "ours-ssl-only"
            case .union: "ours-union"
            }
        }
        var fusion: PseudoLabelFusion {
            switch self {
            case .intersection: .intersection
            case .semiOnly: .semiOnly
            case .sslOnly: .sslOnly
            case .union: .union
            }
        }
        var summary: String {
            switch self {
            case .intersection: "the paper: final U-Net on y_SEMI AND y_SSL (self-training + registration propagation)"
            case .semiOnly: "ablation of Ours: final U-Net on y_SEMI only"
            case .sslOnly: "ablation of Ours: final U-Net on y_SSL only"
            case .union: "ablation of Ours: final U-Net on y_SEMI OR y_SSL"
            }
        }
    }

    static let semiWarmupEpochs = Setting<Int>("semi_warmup_epochs", 0...100_000, default: 50, help: "stage 1: epochs on the central slices only (paper: 50)")
    static let semiSelfEpochs = Setting<Int>("semi_self_epochs", 0...100_000, default: 50,
                                             help: "stage 1: epochs of self-training on labelled + unlabelled slices (not given by the paper)")
    static let registrationEpochs = Setting<Int>("registration_epochs", 1...100_000, default: 50,
                                                 help: "stage 2: epochs over the adjacent pairs (not given by the paper)")
    static let registrationLearningRate = Setting<Double>("registration_learning_rate", 1e-9...1, default: 1e-4,
                                                          help: "stage 2: Adam step size (voxelmorph: 1e-4)")
    static let registrationBatchSize = Setting<Int>("registration_batch_size", 1...1024, default: 4, help: "stage 2: pairs per step")
    static let similarity = Setting<Similarity>("similarity", default: .mse, help: "stage 2: similarity loss (docs/methods.md: MSE; NCC 9x9 the alternative)")
    static let smoothnessWeight = Setting<Double>("smoothness_weight", 0...1000, default: 0.01,
                                                  help: "stage 2: lambda of the smoothness term (0.01 with MSE, 1 with NCC)")
    static let nccWindow = Setting<Int>("ncc_window", 3...99, default: 9, help: "stage 2: NCC window (voxelmorph: 9)")
    static let registrationEncoder = Setting<[Int]>("registration_encoder", each: 1...1024, count: 1...8, default: [16, 32, 32, 32],
                                                    help: "voxelmorph encoder widths")
    static let registrationDecoder = Setting<[Int]>("registration_decoder", each: 1...1024, count: 1...8, default: [32, 32, 32, 32],
                                                    help: "voxelmorph decoder widths")
    static let registrationExtra = Setting<[Int]>("registration_extra", each: 1...1024, count: 0...8, default: [32, 16, 16],
                                                  help: "voxelmorph extra convolutions")
    static let propagation = Setting<LabelPropagation.Interpolation>("propagation", default: .bilinear,
                                                                     help: "how masks are warped: one-hot bilinear + threshold, or nearest")
    static let propagationThreshold = Setting<Double>("propagation_threshold", 0...1, default: 0.5,
                                                      help: "threshold of the bilinear one-hot warp (docs/methods.md: 0.5)")

    /// Ours' settings; the registration defaults are voxelmorph's (docs/methods.md).
    static func schema(_ name: String) -> SettingsSchema {
        SettingsSchema(name: "method \(name)", [
            semiWarmupEpochs, semiSelfEpochs, registrationEpochs, registrationLearningRate, registrationBatchSize, similarity,
            smoothnessWeight, nccWindow, registrationEncoder, registrationDecoder, registrationExtra, propagation, propagationThreshold,
        ])
    }

    /// The similarity loss of the registration network.
    enum Similarity: String, SettingChoice {
        /// Mean squared error of intensities.
        case mse
        /// Local normalised cross-correlation over a square window.
        case ncc
    }

    /// The registration of a variant.
    public static func registration(variant: Variant) -> MethodRegistration {
        let fusion = variant.fusion
        return MethodRegistration(name: variant.name, summary: variant.summary, relativeCost: 6, schema: schema(variant.name),
                                  make: { Ours(fusion: fusion) })
    }

    /// Runs the four stages in order; see the type's documentation.
    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let view = context.view
        let r = context.settings
        let batcher = context.makeBatcher()
        let steps = batcher.stepsPerEpoch(context.training.stepsPerEpoch)
        let regBatch = r[Self.registrationBatchSize]
        let regSteps = max(1, (view.adjacentPairs.count + regBatch - 1) / regBatch)
        // Stages 1 and 2; stage 4's steps are planned by Supervised.train.
        context.session.plannedSteps += (r[Self.semiWarmupEpochs] + r[Self.semiSelfEpochs]) * steps + r[Self.registrationEpochs] * regSteps

        let ySemi = try Self.semiSupervisedMasks(context, batcher: batcher, stepsPerEpoch: steps)
        let ySSL = try Self.registrationMasks(context, batcher: batcher, stepsPerEpoch: regSteps)
        let sets = fused(context, semi: ySemi, ssl: ySSL)
        try Ours.save(sets, size: view.cases[0].sliceSize, to: context.session.directory)
        let final = try Self.finalNetwork(context, batcher: batcher, stepsPerEpoch: steps, pseudoLabels: sets.final)
        return TrainedMethod(predictor: UNetPredictor(networks: [final]), pseudoLabels: sets)
    }

    /// Stage 1, y_SEMI: a U-Net warmed up on the central slices, then self-trained on labelled +
    /// unlabelled slices, predicts every slice; the central slice keeps its manual mask.
    /// Returns [case][slice] -> row-major mask.
    static func semiSupervisedMasks(_ context: MethodContext, batcher: SliceBatcher, stepsPerEpoch steps: Int) throws -> [[[UInt8]]] {
        let view = context.view
        let size = view.cases[0].sliceSize
        let (warmup, selfEpochs) = (context.settings[Self.semiWarmupEpochs], context.settings[Self.semiSelfEpochs])
        let semi = context.makeUNet("semi")
        let semiOptimiser = context.training.makeOptimiser(semi.parameters)
        let gamma = context.training.gamma
        let schedule = context.training.schedule(stepsPerEpoch: steps, epochs: warmup + selfEpochs)
        let semiPredictor = UNetPredictor(networks: [semi])
        if warmup > 0 {
            try context.session.runPhase("semi-warmup", epochs: warmup, stepsPerEpoch: steps, models: [("semi", semi)],
                                         optimisers: [("semi-optimiser", semiOptimiser)], learningRate: schedule,
                                         validating: semiPredictor) { step in
                let l = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
                return ["loss": semi.trainStep(images: l.images, labels: l.labels, optimiser: semiOptimiser, gamma: gamma)]
            }
        }
        if selfEpochs > 0 {
            try context.session.runPhase("semi-self", epochs: selfEpochs, stepsPerEpoch: steps, models: [("semi", semi)],
                                         optimisers: [("semi-optimiser", semiOptimiser)],
                                         learningRate: { epoch, iteration in schedule(epoch + warmup, iteration + warmup * steps) },
                                         validating: semiPredictor) { step in
                let l = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
                let u = batcher.unlabelledBatch(epoch: step.epoch, step: step.step, rng: &step.random)
                semi.setTraining(true)
                let logits = semi.forward(Tensor.concatBatch([l.images, u]), recording: true)
                // The unlabelled targets are the network's own argmax at this step.
                let b = l.images.batch, plane = size.ny * size.nx
                let targets = l.labels + Softmax.argmax(logits)[(b * plane)...]
                let loss = UNet.diceCrossEntropy(logits: logits, labels: Array(targets), gamma: gamma)
                semi.zeroGradients()
                semi.backward(loss.gradient)
                semiOptimiser.step()
                return ["loss": loss.value]
            }
        }
        return view.cases.map { item in
            var masks = semiPredictor.foregroundProbabilities(item.images, size: size).map { $0.map { $0 > 0.5 ? UInt8(1) : 0 } }
            masks[item.label.sliceIndex] = item.label.mask
            return masks
        }
    }

    /// Stage 2, y_SSL: a registration network trained without labels on adjacent slices; its
    /// fields carry each central mask slice by slice through its volume.
    /// Returns [case][slice] -> row-major mask.
    static func registrationMasks(_ context: MethodContext, batcher: SliceBatcher, stepsPerEpoch regSteps: Int) throws -> [[[UInt8]]] {
        let view = context.view
        let size = view.cases[0].sliceSize
        let r = context.settings
        let pairs = view.adjacentPairs
        let regBatch = r[Self.registrationBatchSize]
        let configuration = RegistrationConfiguration(encoder: r[Self.registrationEncoder], decoder: r[Self.registrationDecoder],
                                                      extra: r[Self.registrationExtra])
        let registration = RegistrationNet(configuration: configuration, seed: context.networkSeed("registration"))
        let regOptimiser = Adam(parameters: registration.parameters, learningRate: Float(r[Self.registrationLearningRate]))
        let (similarity, lambda, window) = (r[Self.similarity], Float(r[Self.smoothnessWeight]), r[Self.nccWindow])
        try context.session.runPhase("registration", epochs: r[Self.registrationEpochs], stepsPerEpoch: regSteps, models: [("registration", registration)],
                                     optimisers: [("registration-optimiser", regOptimiser)]) { step in
            var generator = context.random.derived("registration-order", step.epoch)
            var order = Array(pairs.indices)
            order.shuffle(using: &generator)
            let chosen = (0..<regBatch).map { pairs[order[(step.step * regBatch + $0) % order.count]] }
            let moving = batcher.stack(chosen.map { view.cases[$0.caseIndex].images[$0.moving] })
            let fixed = batcher.stack(chosen.map { view.cases[$0.caseIndex].images[$0.fixed] })
            step.scalars["smoothness_weight"] = lambda
            return Ours.registrationStep(registration, optimiser: regOptimiser, moving: moving, fixed: fixed,
                                         similarity: similarity, lambda: lambda, window: window)
        }
        let interpolation = r[Self.propagation]
        let threshold = Float(r[Self.propagationThreshold])
        return view.cases.map { item in
            LabelPropagation.propagate(centralMask: item.label.mask, central: item.label.sliceIndex, sliceCount: item.images.count, size: size,
                                       interpolation: interpolation, threshold: threshold) { moving, fixed in
                registration.forward(moving: batcher.stack([item.images[moving]]), fixed: batcher.stack([item.images[fixed]]))
            }
        }
    }

    /// Stage 3, y_final: y_SEMI and y_SSL fused by this variant's rule; the central slice keeps
    /// its manual mask.
    func fused(_ context: MethodContext, semi ySemi: [[[UInt8]]], ssl ySSL: [[[UInt8]]]) -> PseudoLabelSets {
        let view = context.view
        let yFinal: [[[UInt8]]] = view.cases.indices.map { c in
            zip(ySemi[c], ySSL[c]).enumerated().map { z, masks in
                z == view.cases[c].label.sliceIndex ? view.cases[c].label.mask : fusion.fuse(semi: masks.0, ssl: masks.1)
            }
        }
        return PseudoLabelSets(caseIDs: view.cases.map(\.info.id), centralSlices: view.cases.map(\.label.sliceIndex),
                               semi: ySemi, ssl: ySSL, final: yFinal)
    }

    /// Stage 4: the final U-Net, trained on batches of central masks beside batches of y_final
    /// on the unlabelled slices; the only network used for inference.
    static func finalNetwork(_ context: MethodContext, batcher: SliceBatcher, stepsPerEpoch steps: Int,
                             pseudoLabels yFinal: [[[UInt8]]]) throws -> UNet {
        let view = context.view
        var pseudoPairs: [(image: [Float], mask: [UInt8])] = []
        for (c, item) in view.cases.enumerated() {
            for z in item.unlabelledSlices { pseudoPairs.append((item.images[z], yFinal[c][z])) }
        }
        let pseudo = SliceBatcher(pairs: pseudoPairs, size: view.cases[0].sliceSize, batchSize: context.training.batchSize,
                                  augment: context.training.augment, random: context.random.derived("pseudo-batches"))
        let final = context.makeUNet("final")
        try Supervised.train(final, name: "final", epochs: context.training.epochs, stepsPerEpoch: steps, context: context) { step in
            let l = batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
            let p = pseudo.labelledBatch(iteration: step.iteration, rng: &step.random)
            return SliceBatch(images: Tensor.concatBatch([l.images, p.images]), labels: l.labels + p.labels)
        }
        return final
    }

    /// One unsupervised step of the registration network: sim(fixed, moving o phi) +
    /// lambda * smooth(phi), backward through the spatial transformer and the network.
    static func registrationStep(_ net: RegistrationNet, optimiser: any Optimiser, moving: Tensor, fixed: Tensor,
                                 similarity: Similarity, lambda: Float, window: Int) -> [String: Float] {
        let flow = net.forward(moving: moving, fixed: fixed, recording: true)
        let warped = Warp.bilinear(moving, flow: flow)
        let sim: (value: Float, gradient: Tensor)
        if similarity == .ncc {
            let ncc = Losses.localNCC(fixed: fixed, warped: warped, window: window)
            sim = (ncc.value, ncc.warped)
        } else {
            let mse = Losses.meanSquaredError(warped, fixed)
            sim = (mse.value, mse.gradient)
        }
        let smooth = Losses.flowSmoothness(flow)
        let dflow = Ops.add(Warp.bilinearBackward(sim.gradient, image: moving, flow: flow).flow, Ops.scale(smooth.gradient, by: lambda))
        net.zeroGradients()
        net.backward(dflow)
        optimiser.step()
        return ["loss": sim.value + lambda * smooth.value, "similarity": sim.value, "smoothness": smooth.value]
    }

    /// y_SEMI, y_SSL and y_final as HDF5 masks (y_semi.h5, y_ssl.h5, y_final.h5): one group per
    /// training case with `mask` uint8 [nz, ny, nx] and attribute `central_slice`.
    static func save(_ sets: PseudoLabelSets, size: SliceSize, to directory: URL) throws {
        for (name, masks) in sets.named {
            try HDF5File.writeAtomically(to: directory.appendingPathComponent("\(name).h5").path) { root in
                for (c, id) in sets.caseIDs.enumerated() {
                    let group = try root.createGroup(id)
                    try group.write("mask", masks[c].flatMap { $0 }, shape: [masks[c].count, size.ny, size.nx], compressed: true)
                    try group.setAttribute("central_slice", sets.centralSlices[c])
                }
            }
        }
    }
}

extension LabelPropagation.Interpolation: SettingChoice {}
