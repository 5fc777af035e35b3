import Jobs
import Yams

/// A YAML mapping read with the line of each key, rejecting duplicate keys and non-string keys.
struct YAMLMapping {
    let settings: [LocatedSetting]
    let nodes: [String: Node]
    let key: String
    let file: String

    init(_ node: Node, key: String, file: String, allowEmpty: Bool = false) throws {
        self.key = key
        self.file = file
        try rejectAnchor(node, key: key, file: file)
        if allowEmpty, case .scalar(let scalar) = node, scalar.string.isEmpty || node.null != nil {
            settings = []
            nodes = [:]
            return
        }
        guard case .mapping(let mapping) = node else {
            throw ExperimentError(file: file, line: node.mark?.line, key: key, message: "expected a mapping of keys to values")
        }
        var settings: [LocatedSetting] = []
        var nodes: [String: Node] = [:]
        for (keyNode, valueNode) in mapping {
            try rejectAnchor(keyNode, key: key, file: file)
            guard let name = keyNode.string, case .scalar = keyNode else {
                throw ExperimentError(file: file, line: keyNode.mark?.line, key: key, message: "keys must be plain strings")
            }
            let path = key.isEmpty ? name : key + "." + name
            guard nodes[name] == nil else {
                throw ExperimentError(file: file, line: keyNode.mark?.line, key: path, message: "key given twice")
            }
            nodes[name] = valueNode
            settings.append(LocatedSetting(key: name, value: try settingValue(valueNode, key: path, file: file), line: keyNode.mark?.line))
        }
        self.settings = settings
        self.nodes = nodes
    }

    func node(_ name: String) -> Node? { nodes[name] }

    func value(_ name: String) throws -> LocatedSetting? {
        settings.first { $0.key == name }
    }

    /// The settings of a nested mapping (none when the key is absent).
    func section(_ name: String) throws -> [LocatedSetting] {
        guard let node = nodes[name] else { return [] }
        return try YAMLMapping(node, key: key.isEmpty ? name : key + "." + name, file: file, allowEmpty: true).settings
    }

    func rejectUnknownKeys(allowed: [String], section: String) throws {
        for setting in settings where !allowed.contains(setting.key) {
            throw ExperimentError(file: file, line: setting.line, key: setting.key, message: "unknown key in \(section) (accepted: \(allowed.joined(separator: ", ")))")
        }
    }
}

/// Refuses a node that carries an anchor. Yams composes an alias as its anchor's node, so in
/// a walk in document order the first anchored node comes before any alias of it: stopping
/// there, the walk never enters an aliased subtree.
func rejectAnchor(_ node: Node, key: String, file: String) throws {
    if let anchor = node.anchor {
        throw ExperimentError(file: file, line: node.mark?.line, key: key, message: "YAML anchors and aliases are not supported, found '&\(anchor.rawValue.prefix(40))'")
    }
}

/// Converts a YAML node to a setting value, resolving scalars by YAML's core schema.
func settingValue(_ node: Node, key: String, file: String) throws -> JSONValue {
    try rejectAnchor(node, key: key, file: file)
    switch node {
    case .scalar:
        if node.null != nil {
            throw ExperimentError(file: file, line: node.mark?.line, key: key, message: "empty value (remove the key to use its default)")
        }
        let text = node.string ?? ""
        func fail(_ message: String) -> ExperimentError {
            ExperimentError(file: file, line: node.mark?.line, key: key, message: message)
        }
        switch node.tag.description {
        case Tag.Name.bool.rawValue:
            guard let value = node.bool else { throw fail("'\(text.prefix(40))' is not a boolean") }
            return .bool(value)
        case Tag.Name.int.rawValue:
            guard let value = node.int else { throw fail("\(text.prefix(40)) is not an integer of at most 64 bits (\(Int.min)...\(Int.max))") }
            return .int(value)
        case Tag.Name.float.rawValue:
            guard let value = node.float else { throw fail("'\(text.prefix(40))' is not a number") }
            return .number(value)
        default:
            return .string(text)
        }
    case .sequence(let sequence):
        return .array(try sequence.enumerated().map { try settingValue($1, key: "\(key)[\($0)]", file: file) })
    case .mapping:
        let mapping = try YAMLMapping(node, key: key, file: file)
        return .object(Dictionary(uniqueKeysWithValues: mapping.settings.map { ($0.key, $0.value) }))
    case .alias:
        throw ExperimentError(file: file, line: node.mark?.line, key: key, message: "YAML aliases are not supported")
    }
}
