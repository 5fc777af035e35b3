import Experiments
import TrainingCore

/// FS-LCS: the U-Net trained on the labelled central slices only, with the supervised loss
/// Dice + gamma * CE (docs/methods.md).
public struct FSLCS: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "fs-lcs", summary: "U-Net on the labelled central slices only (supervised lower bound)", relativeCost: 1,
        schema: SettingsSchema(name: "method fs-lcs", []), make: { FSLCS() })

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let network = context.makeUNet("student")
        let batcher = context.makeBatcher()
        let steps = batcher.stepsPerEpoch(context.training.stepsPerEpoch)
        let epochs = context.training.epochs
        try Supervised.train(network, name: "train", epochs: epochs, stepsPerEpoch: steps, context: context) { step in
            batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [network]))
    }
}
