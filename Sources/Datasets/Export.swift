import Foundation

/// Writes a dataset's cases as NIfTI files that other tools open: nnU-Net v2's raw layout and a
/// plain folder for ITK-SNAP, 3D Slicer or nibabel (docs/interop.md).
///
/// Images and masks are written on the stored grid (S x S slices) with its spacing, origin and
/// direction, so that each image and its mask share one grid; `--nifti` adds the masks on the
/// original grid, which predictions are scored on. Every file is written to a temporary file
/// and renamed into place; nnU-Net's dataset.json is written last, so an export that stopped
/// part-way has none and nnU-Net refuses it instead of training on part of the cases.
public enum DatasetExport {
    /// The layouts.
    public enum Layout: String, Sendable, CaseIterable {
        /// nnU-Net v2 raw: `imagesTr/<case>_0000.nii.gz`, `labelsTr/<case>.nii.gz`, `dataset.json`.
        case nnUNet = "nnunet"
        /// `images/<case>.nii.gz`, `labels/<case>.nii.gz` (stored grid) and
        /// `labels_original/<case>.nii.gz` (original grid).
        case nifti
    }

    /// nnU-Net's channel name for the one input: any name but "CT" gets its per-case z-score
    /// normalisation, which suits MR.
    static let channelName = "T2"

    /// Writes `cases` (read from `source`, named in errors) under `directory` in `layout` and
    /// returns the files written, dataset.json last. Without `force`, a directory that exists
    /// and holds anything is refused, so that no earlier export's cases mix into this one;
    /// with it, files of the same name are replaced and other files are left as they are.
    public static func write(_ cases: [StoredCase], source: String, layout: Layout, to directory: String, force: Bool) throws -> [String] {
        guard !cases.isEmpty else { throw DataError(file: source, field: "/cases", message: "the dataset holds no case to export") }
        for item in cases { try checkFileName(item.id, source: source) }
        try prepare(directory, force: force)
        var written: [String] = []
        func put(_ image: MedicalImage, _ relative: String) throws {
            let path = directory.appendingPathComponent(relative)
            try createDirectory(path.deletingLastPathComponent)
            try NIfTI.write(image, to: path)
            written.append(path)
        }
        for item in cases {
            let image = MedicalImage(item.image, elementType: .float32), label = MedicalImage(item.label)
            switch layout {
            case .nnUNet:
                try put(image, "imagesTr/\(item.id)_0000.nii.gz")
                try put(label, "labelsTr/\(item.id).nii.gz")
            case .nifti:
                try put(image, "images/\(item.id).nii.gz")
                try put(label, "labels/\(item.id).nii.gz")
                try put(MedicalImage(item.originalLabel), "labels_original/\(item.id).nii.gz")
            }
        }
        if layout == .nnUNet {
            let path = directory.appendingPathComponent("dataset.json")
            try writeBytesAtomically(try datasetJSON(caseCount: cases.count, source: source), to: path)
            written.append(path)
        }
        return written
    }

    /// nnU-Net v2's dataset.json: channel_names, labels (name to value, background 0),
    /// numTraining and file_ending are what it requires; name and description are read by people.
    static func datasetJSON(caseCount: Int, source: String) throws -> [UInt8] {
        let object: [String: Any] = [
            "channel_names": ["0": channelName],
            "labels": ["background": 0, "prostate": 1],
            "numTraining": caseCount,
            "file_ending": ".nii.gz",
            "name": "SparseSeg " + (source as NSString).lastPathComponent,
            "description": "Whole-gland prostate masks exported by sparseseg data export; images normalised to [0, 1] on the stored grid.",
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }

    /// A case name becomes part of file names: one that is empty, holds a path separator or a
    /// NUL, or is `.` or `..`, would write outside its folder or not at all.
    static func checkFileName(_ id: String, source: String) throws {
        guard !id.isEmpty, id != ".", id != "..", !id.contains("/"), !id.contains("\0") else {
            throw DataError(file: source, field: "/cases/\(id)", message: "the case name \"\(id)\" cannot be a file name")
        }
    }

    private static func prepare(_ directory: String, force: Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DataError(file: directory, field: "", message: "exists and is not a directory") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            guard entries.isEmpty || force else {
                throw DataError(file: directory, field: "", message: "is not empty (\(entries.count) entries); choose a new directory, or --force to overwrite")
            }
        }
        try createDirectory(directory)
    }

    private static func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DataError(file: path, field: "", message: "cannot create the directory: \(error.localizedDescription)")
        }
    }
}

extension String {
    var deletingLastPathComponent: String { (self as NSString).deletingLastPathComponent }
}
