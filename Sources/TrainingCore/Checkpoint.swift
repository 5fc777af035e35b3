import HDF5

/// A checkpoint that cannot be written or does not fit the objects it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible {
    /// The checkpoint file.
    public let file: String
    /// What is wrong, naming the dataset at fault.
    public let message: String
    public var description: String { "\(file): \(message)" }
}

/// Checkpoints in HDF5: every parameter, buffer (BatchNorm running statistics) and random-draw
/// counter of one or more named models, the state of named optimisers (moments, step count,
/// learning rate) and the training step. Written atomically (temporary file, then rename).
///
/// Layout: `/<model>/parameters/<name>`, `/<model>/buffers/<name>` (Float32, the tensor's
/// shape), `/<model>/counters/<name>` (Int64, shape [1]); `/<optimiser>/<state name>` with
/// attributes `step_count` and `learning_rate`; root attributes `format` and `step`.
///
/// Loading needs objects built with the same configuration (and, for dropout masks to
/// continue identically, the same seed: the counters are saved, the seed is the caller's).
public enum Checkpoint {
    static let format = "sparseseg-checkpoint-1"

    /// Saves `models` and `optimisers` (each under its own group name) and `step` to `path`.
    public static func save(to path: String, models: [(name: String, model: any Module)],
                            optimisers: [(name: String, optimiser: any Optimiser)] = [], step: Int) throws {
        try HDF5File.writeAtomically(to: path) { root in
            try root.setAttribute("format", format)
            try root.setAttribute("step", step)
            for (name, model) in models {
                let group = try root.createGroup(name)
                let parameters = try group.createGroup("parameters")
                for p in model.parameters { try parameters.write(p.name, p.value.scalars, shape: p.value.shape) }
                let buffers = try group.createGroup("buffers")
                for b in model.buffers { try buffers.write(b.name, b.value.scalars, shape: b.value.shape) }
                let counters = try group.createGroup("counters")
                for c in model.counters { try counters.write(c.name, [Int64(c.value)], shape: [1]) }
            }
            for (name, optimiser) in optimisers {
                let group = try root.createGroup(name)
                try group.setAttribute("step_count", optimiser.stepCount)
                try group.setAttribute("learning_rate", optimiser.learningRate)
                for (key, value) in optimiser.state { try group.write(key, value.scalars, shape: value.shape) }
            }
        }
    }

    /// Saves one model, optionally with its optimiser, under the group names "model" and "optimiser".
    public static func save(to path: String, model: any Module, optimiser: (any Optimiser)? = nil, step: Int) throws {
        try save(to: path, models: [("model", model)], optimisers: optimiser.map { [("optimiser", $0)] } ?? [], step: step)
    }

    /// Loads what ``save(to:models:optimisers:step:)`` wrote into existing objects and returns
    /// the saved step. Every parameter, buffer, counter and optimiser state must be present
    /// with the right shape; nothing is changed unless all of them are.
    @discardableResult
    public static func load(from path: String, models: [(name: String, model: any Module)],
                            optimisers: [(name: String, optimiser: any Optimiser)] = []) throws -> Int {
        let file = try HDF5File.open(path)
        let root = try file.root
        guard root.hasAttribute("format"), try root.stringAttribute("format") == format else {
            throw CheckpointError(file: path, message: "not a SparseSeg checkpoint (attribute format is not \(format))")
        }
        func tensor(_ group: HDF5Group, _ name: String, shape: [Int], _ where_: String) throws -> Tensor {
            guard group.contains(name) else { throw CheckpointError(file: path, message: "\(where_)/\(name) is missing") }
            let (values, stored): ([Float], [Int]) = try group.read(name)
            guard stored == shape else {
                throw CheckpointError(file: path, message: "\(where_)/\(name) has shape \(stored), expected \(shape)")
            }
            return Tensor(shape: shape, scalars: values)
        }
        // Read everything first, then assign: a failure leaves the objects untouched.
        var assignments: [() -> Void] = []
        for (name, model) in models {
            guard root.contains(name) else { throw CheckpointError(file: path, message: "model group /\(name) is missing") }
            let group = try root.group(name)
            let parameters = try group.group("parameters"), buffers = try group.group("buffers"), counters = try group.group("counters")
            for p in model.parameters {
                let value = try tensor(parameters, p.name, shape: p.value.shape, "/\(name)/parameters")
                assignments.append { p.value = value }
            }
            for b in model.buffers {
                let value = try tensor(buffers, b.name, shape: b.value.shape, "/\(name)/buffers")
                assignments.append { b.value = value }
            }
            for c in model.counters {
                guard counters.contains(c.name) else { throw CheckpointError(file: path, message: "/\(name)/counters/\(c.name) is missing") }
                let (values, _): ([Int64], [Int]) = try counters.read(c.name)
                guard values.count == 1 else { throw CheckpointError(file: path, message: "/\(name)/counters/\(c.name) is not one value") }
                assignments.append { c.value = Int(values[0]) }
            }
        }
        for (name, optimiser) in optimisers {
            guard root.contains(name) else { throw CheckpointError(file: path, message: "optimiser group /\(name) is missing") }
            let group = try root.group(name)
            var state: [String: Tensor] = [:]
            for (key, value) in optimiser.state { state[key] = try tensor(group, key, shape: value.shape, "/\(name)") }
            let stepCount: Int = try group.attribute("step_count")
            let learningRate: Float = try group.attribute("learning_rate")
            let restored = state
            assignments.append {
                // Shapes and names were checked above, so restoring cannot fail here.
                try? optimiser.restore(restored)
                optimiser.stepCount = stepCount
                optimiser.learningRate = learningRate
            }
        }
        let step: Int = try root.attribute("step")
        for assign in assignments { assign() }
        try file.close()
        return step
    }

    /// Loads one model (and optionally its optimiser) saved by ``save(to:model:optimiser:step:)``.
    @discardableResult
    public static func load(from path: String, into model: any Module, optimiser: (any Optimiser)? = nil) throws -> Int {
        try load(from: path, models: [("model", model)], optimisers: optimiser.map { [("optimiser", $0)] } ?? [])
    }
}
