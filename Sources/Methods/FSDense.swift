import Experiments
import TrainingCore

/// fs-dense: the same U-Net trained on every training mask, the upper bound that
/// semi-supervised papers report. The only method registered with
/// ``LabelAccess/allTrainingMasks``; it is a reference row, not a competitor.
public struct FSDense: SegmentationMethod {
    public static let registration = MethodRegistration(
        name: "fs-dense", summary: "U-Net on every training mask (upper-bound reference; reads all training masks)",
        labelAccess: .allTrainingMasks, relativeCost: 1,
        schema: SettingsSchema(name: "method fs-dense", []), make: { FSDense() })

    public init() {}

    public func train(_ context: MethodContext) throws -> TrainedMethod {
        let masks = try context.allTrainingMasks()
        var pairs: [(image: [Float], mask: [UInt8])] = []
        for (item, caseMasks) in zip(context.view.cases, masks) {
            for (image, mask) in zip(item.images, caseMasks) { pairs.append((image, mask)) }
        }
        let network = context.makeUNet("student")
        // One epoch = the same number of steps as the semi-supervised methods (a pass over the
        // unlabelled slices), so that every method gets the same optimiser budget.
        let steps = context.makeBatcher().stepsPerEpoch(context.training.stepsPerEpoch)
        let batcher = SliceBatcher(pairs: pairs, size: context.view.cases[0].sliceSize, batchSize: context.training.batchSize,
                                   augment: context.training.augment, random: context.random.derived("dense-batches"))
        try Supervised.train(network, name: "train", epochs: context.training.epochs, stepsPerEpoch: steps, context: context) { step in
            batcher.labelledBatch(iteration: step.iteration, rng: &step.random)
        }
        return TrainedMethod(predictor: UNetPredictor(networks: [network]))
    }
}
