import Foundation

/// Updates a fixed list of parameters from their accumulated gradients.
///
/// The optimiser's state (moments, step count) is named by parameter name so that a
/// checkpoint can store and restore it (see ``Checkpoint``).
public protocol Optimiser: AnyObject {
    /// The parameters updated by ``step()``, in the order of their module.
    var parameters: [Parameter] { get }
    /// The learning rate of the next step (set it from a schedule before each step).
    var learningRate: Float { get set }
    /// The number of steps taken so far.
    var stepCount: Int { get set }
    /// Applies one update from the current gradients (it does not zero them).
    func step()
    /// Named state tensors (for example `m.<parameter name>`), in a stable order.
    var state: [(name: String, value: Tensor)] { get }
    /// Restores state saved from ``state``; throws if a name or shape does not match.
    func restore(_ state: [String: Tensor]) throws
}

/// An optimiser state that does not fit the parameters it is restored into.
public struct OptimiserStateError: Error, CustomStringConvertible {
    /// What does not fit.
    public let message: String
    public var description: String { message }
}

/// The moments named `prefix + parameter name` in a saved optimiser state, one per parameter,
/// checked against the parameters' shapes.
func restoreMoments(_ state: [String: Tensor], prefix: String, _ parameters: [Parameter]) throws -> [[Float]] {
    try parameters.map { parameter in
        guard let tensor = state[prefix + parameter.name] else {
            throw OptimiserStateError(message: "optimiser state: missing \(prefix + parameter.name)")
        }
        guard tensor.shape == parameter.value.shape else {
            throw OptimiserStateError(message: "optimiser state: \(prefix + parameter.name) has shape \(tensor.shape), parameter \(parameter.value.shape)")
        }
        return tensor.scalars
    }
}
