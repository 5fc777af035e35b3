import Foundation

/// An error about input data, naming the file, the field (a header key, a dataset or an
/// attribute) and what is wrong with it.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The file (or directory) at fault.
    public let file: String
    /// The field inside it: a header key such as "DimSize", an HDF5 object, what an import
    /// expected to find (a folder such as "imagesTr", a name pattern such as "CaseNN.mhd"),
    /// "header" for a missing image file, or "" when no part of the file is to blame.
    public let field: String
    /// What is wrong.
    public let message: String

    /// An error about `field` of `file`.
    public init(file: String, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    /// "file: field: message", or "file: message" without a field.
    public var description: String {
        field.isEmpty ? "\(file): \(message)" : "\(file): \(field): \(message)"
    }
}

/// Reads a whole file, reporting a missing or unreadable file by name.
func readBytes(_ path: String, field: String) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
        throw DataError(file: path, field: field, message: "no such file")
    }
    // A file larger than the memory left would kill the process while being read.
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
        try ImageLimits.checkMemory(size.intValue, for: "reading the file", file: path, field: field)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError(file: path, field: field, message: "cannot read file")
    }
    return [UInt8](data)
}

/// Writes `bytes` so that `path` holds either its old content or all of the new one.
func writeBytesAtomically(_ bytes: [UInt8], to path: String) throws {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw DataError(file: path, field: "", message: "cannot write: \(error.localizedDescription)")
    }
}
