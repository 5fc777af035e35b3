import TrainingCore

/// Supervised training of one U-Net on batches from `batch`, shared by FS-LCS, fs-dense and
/// Ours' final network.
enum Supervised {
    static func train(_ network: UNet, name: String, epochs: Int, stepsPerEpoch: Int, context: MethodContext,
                      batch: (inout PhaseStep) -> SliceBatch) throws {
        let optimiser = context.training.makeOptimiser(network.parameters)
        context.session.plannedSteps += epochs * stepsPerEpoch
        let gamma = context.training.gamma
        try context.session.runPhase(
            name, epochs: epochs, stepsPerEpoch: stepsPerEpoch, models: [(name, network)], optimisers: [(name + "-optimiser", optimiser)],
            learningRate: context.training.schedule(stepsPerEpoch: stepsPerEpoch, epochs: epochs),
            validating: UNetPredictor(networks: [network])
        ) { step in
            let b = batch(&step)
            return ["loss": network.trainStep(images: b.images, labels: b.labels, optimiser: optimiser, gamma: gamma)]
        }
    }
}
