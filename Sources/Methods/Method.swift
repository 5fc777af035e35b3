import Datasets
import Experiments
import Foundation
import SeededRandom

/// What a method may read of a fold's training labels.
public enum LabelAccess: String, Sendable, Codable {
    /// The manual mask of the central slice of each training volume (the paper's setting).
    case centralSlices = "central-slices"
    /// Every training mask: the upper-bound reference `fs-dense` only. It is granted by the
    /// method's registration and printed by `sparseseg methods` and in the report.
    case allTrainingMasks = "all-training-masks"
}

/// A trained method: the predictor of 2D slices, and the pseudo-label sets it built (Ours).
public struct TrainedMethod {
    /// Foreground probabilities of test slices.
    public let predictor: any SlicePredictor
    /// Ours' y_SEMI, y_SSL and y_final on the training slices, for the evaluation-only
    /// diagnostics of the job; nil for methods without pseudo-labels.
    public let pseudoLabels: PseudoLabelSets?

    public init(predictor: any SlicePredictor, pseudoLabels: PseudoLabelSets? = nil) {
        self.predictor = predictor
        self.pseudoLabels = pseudoLabels
    }
}

/// Predicts 2D slices.
public protocol SlicePredictor {
    /// The foreground probability of every pixel of each slice (row-major [ny, nx]).
    func foregroundProbabilities(_ slices: [[Float]], size: SliceSize) -> [[Float]]
}

/// A segmentation method of the comparison. It receives one fold's training view (central
/// labelled slices and unlabelled slices), its settings, a seed and a training session
/// (progress, loss log and checkpoints) through a ``MethodContext``, and returns a predictor.
/// Nothing outside the method knows its internals.
public protocol SegmentationMethod {
    /// Trains on `context.view` and returns the predictor (and pseudo-labels, for Ours).
    func train(_ context: MethodContext) throws -> TrainedMethod
}

/// A method thrown at a label it may not read.
public struct LabelFirewallError: Error, CustomStringConvertible {
    /// The method that asked.
    public let method: String
    public var description: String {
        "method \(method) asked for all training masks without the '\(LabelAccess.allTrainingMasks.rawValue)' capability in its registration"
    }
}

/// Everything a method gets for one job. Made only by the job runner (``JobRunner``), which
/// decides from the method's registration whether the full training masks are reachable.
public final class MethodContext {
    /// The method's registered name.
    public let method: String
    /// The fold's training data: images of every slice, masks of central slices only.
    public let view: TrainingView
    /// The shared training settings (with the method's overrides).
    public let training: TrainingSettings
    /// The method's own settings, defaults filled in.
    public let settings: ResolvedSettings
    /// The root random stream of the job: every draw of the method derives from it.
    public let random: SeededGenerator
    /// Progress, losses and checkpoints.
    public let session: TrainingSession
    /// Present only when the registration declares ``LabelAccess/allTrainingMasks``.
    private let allMasks: HiddenLabels?

    init(method: String, view: TrainingView, training: TrainingSettings, settings: ResolvedSettings,
         random: SeededGenerator, session: TrainingSession, allMasks: HiddenLabels?) {
        self.method = method
        self.view = view
        self.training = training
        self.settings = settings
        self.random = random
        self.session = session
        self.allMasks = allMasks
    }

    /// The full stored-grid mask of every training case, slice by slice, in the order of
    /// `view.cases`. Throws ``LabelFirewallError`` unless the method's registration declares
    /// ``LabelAccess/allTrainingMasks``.
    public func allTrainingMasks() throws -> [[[UInt8]]] {
        guard let allMasks else { throw LabelFirewallError(method: method) }
        return try view.cases.map { item in
            guard let mask = allMasks.mask(of: item.info.id) else {
                throw DataError(file: "(training view)", field: item.info.id, message: "no mask for this training case")
            }
            return mask.slices
        }
    }

    /// A seed for a network's initial weights, derived from the job's stream and a name.
    public func networkSeed(_ name: String, _ index: Int = 0) -> UInt64 {
        var generator = random.derived("network-" + name, index)
        return generator.next()
    }
}
