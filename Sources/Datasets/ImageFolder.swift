import Foundation

/// The image files of one folder by case name: the file name without `.nii`, `.nii.gz`,
/// `.mha` or `.mhd` (any case), as nnU-Net and medpy users name predictions and references.
///
/// Hidden files (a leading dot: macOS `._` files, our own temporary files), subfolders and
/// files of other types (a MetaImage's `.raw`, a `summary.json`) are passed over.
public struct ImageFolder: Sendable, Equatable {
    /// The folder, as given.
    public let path: String
    /// Case name to file path, one file per case.
    public let files: [String: String]

    /// The case names, sorted.
    public var caseNames: [String] { files.keys.sorted() }

    /// The case name of an image file name, nil for a name that is not an image's.
    public static func caseName(of fileName: String) -> String? {
        let lower = fileName.lowercased()
        guard !fileName.hasPrefix(".") else { return nil }
        for suffix in [".nii.gz", ".nii", ".mha", ".mhd"] where lower.hasSuffix(suffix) && lower.count > suffix.count {
            return String(fileName.dropLast(suffix.count))
        }
        return nil
    }

    /// Lists `path`. A missing folder, a file in its place, a folder without any image file
    /// and two files of one case (`a.nii` beside `a.nii.gz`: which one was meant cannot be
    /// told) are data errors naming the folder or the files.
    public init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(file: path, field: "", message: "no such directory")
        }
        guard isDirectory.boolValue else { throw DataError(file: path, field: "", message: "not a directory") }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw DataError(file: path, field: "", message: "cannot list the directory: \(error.localizedDescription)")
        }
        var byCase: [String: [String]] = [:]
        for name in names.sorted() {
            guard let id = Self.caseName(of: name) else { continue }
            let full = path.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            byCase[id, default: []].append(name)
        }
        guard !byCase.isEmpty else {
            throw DataError(file: path, field: "", message: "holds no image file (.nii, .nii.gz, .mha or .mhd)")
        }
        if let (id, clash) = byCase.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw DataError(file: path.appendingPathComponent(clash[0]), field: "",
                            message: "case \(id) has \(clash.count) files here (\(clash.joined(separator: ", "))); keep one")
        }
        self.path = path
        files = byCase.mapValues { path.appendingPathComponent($0[0]) }
    }
}
