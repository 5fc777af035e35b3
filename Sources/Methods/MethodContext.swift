import Datasets
import Experiments
import Foundation
import SeededRandom

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
