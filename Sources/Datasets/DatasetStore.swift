import Foundation
import HDF5
import VoxelGeometry

/// How the single labelled slice of a training volume is chosen.
public enum CentralSliceRule: String, Sendable, Codable, CaseIterable {
    /// The middle slice of the volume, floor(nz / 2) (the paper's definition; the default).
    case volumeMiddle = "volume-middle"
    /// The middle of the slices that hold foreground, floor((first + last) / 2); the volume
    /// middle when the mask is empty.
    case labelledExtentMiddle = "labelled-extent-middle"

    /// The central slice of a volume with `sliceCount` slices whose foreground spans
    /// `labelledExtent` (first and last labelled slice, nil when empty).
    public func centralSlice(sliceCount: Int, labelledExtent: ClosedRange<Int>?) -> Int {
        switch self {
        case .volumeMiddle: sliceCount / 2
        case .labelledExtentMiddle: labelledExtent.map { ($0.lowerBound + $0.upperBound) / 2 } ?? sliceCount / 2
        }
    }
}

/// One case of a dataset as stored: the preprocessed S x S volume and its mask, and the
/// reference mask on the original grid, where predictions are scored.
public struct StoredCase: Sendable {
    /// The case name, unique in the dataset (for example "Case07").
    public var id: String
    /// The acquisition site (centre) the case comes from.
    public var site: String
    /// The normalised image on the stored grid, [nz, S, S], intensities in [0, 1].
    public var image: ImageVolume
    /// The mask on the stored grid, [nz, S, S], 0 or 1.
    public var label: LabelVolume
    /// The mask on the original grid with the original spacing, origin and direction.
    public var originalLabel: LabelVolume
    /// The file the case was imported from ("" for the phantom).
    public var sourceFile: String

    /// A case from its volumes; image and label must share one shape, and the original grid the slices.
    public init(id: String, site: String, image: ImageVolume, label: LabelVolume, originalLabel: LabelVolume, sourceFile: String = "") {
        precondition(image.shape == label.shape, "image \(image.shape) and label \(label.shape) differ")
        precondition(originalLabel.shape.nz == image.shape.nz, "the original grid has the same slices")
        self.id = id
        self.site = site
        self.image = image
        self.label = label
        self.originalLabel = originalLabel
        self.sourceFile = sourceFile
    }

    /// The mapping between the original grid and the stored grid.
    public var mapping: InPlaneMapping {
        InPlaneMapping(original: SliceSize(ny: originalLabel.shape.ny, nx: originalLabel.shape.nx),
                       stored: SliceSize(ny: image.shape.ny, nx: image.shape.nx))
    }

    /// First and last slice with foreground in the stored mask, nil when empty.
    public var labelledExtent: ClosedRange<Int>? {
        let slices = label.labelledSlices
        guard let first = slices.first, let last = slices.last else { return nil }
        return first...last
    }

    /// The case's description without any mask.
    public func info(rule: CentralSliceRule) -> CaseInfo {
        CaseInfo(id: id, site: site, shape: image.shape, spacing: image.spacing,
                 originalSize: mapping.original, originalSpacing: originalLabel.spacing,
                 centralSlice: rule.centralSlice(sliceCount: image.shape.nz, labelledExtent: labelledExtent))
    }
}

/// What anyone may know about a case without seeing its masks.
public struct CaseInfo: Sendable, Equatable, Codable {
    /// The case name.
    public var id: String
    /// The acquisition site.
    public var site: String
    /// The stored volume's shape, [nz, S, S].
    public var shape: VolumeShape
    /// The stored grid's spacing in mm.
    public var spacing: Spacing
    /// The original slice size.
    public var originalSize: SliceSize
    /// The original spacing in mm.
    public var originalSpacing: Spacing
    /// The labelled (central) slice under the dataset's rule.
    public var centralSlice: Int
}

/// The HDF5 dataset file: one group per case under /cases; see docs/dataset-format.md.
public enum DatasetFile {
    /// The value of the root attribute "format".
    public static let formatName = "sparseseg-dataset"
    /// The layout version this code writes and reads.
    public static let formatVersion = 1

    /// Writes `cases` to `path` atomically (a temporary file renamed into place). `source` says
    /// where the data came from ("phantom", "promise12", "decathlon").
    public static func write(_ cases: [StoredCase], source: String, to path: String) throws {
        guard let first = cases.first else { throw DataError(file: path, field: "", message: "no cases to write") }
        let ids = Set(cases.map(\.id))
        guard ids.count == cases.count else { throw DataError(file: path, field: "cases", message: "case names are not unique") }
        try HDF5File.writeAtomically(to: path) { root in
            try root.setAttribute("format", formatName)
            try root.setAttribute("format_version", formatVersion)
            try root.setAttribute("source", source)
            try root.setAttribute("in_plane_size", [first.image.shape.ny, first.image.shape.nx])
            let group = try root.createGroup("cases")
            for item in cases {
                let g = try group.createGroup(item.id)
                try g.write("image", item.image.voxels, shape: item.image.shape.dims, compressed: true)
                try g.write("label", item.label.voxels, shape: item.label.shape.dims, compressed: true)
                try g.write("label_original", item.originalLabel.voxels, shape: item.originalLabel.shape.dims, compressed: true)
                try g.setAttribute("site", item.site)
                try g.setAttribute("source_file", item.sourceFile)
                try g.setAttribute("spacing", item.image.spacing.xyz)
                try g.setAttribute("original_spacing", item.originalLabel.spacing.xyz)
                try g.setAttribute("original_size", [item.originalLabel.shape.nx, item.originalLabel.shape.ny, item.originalLabel.shape.nz])
                try g.setAttribute("origin", item.originalLabel.orientation.origin)
                try g.setAttribute("direction", item.originalLabel.orientation.direction)
                try g.setAttribute("central_slice", CentralSliceRule.volumeMiddle.centralSlice(sliceCount: item.image.shape.nz, labelledExtent: nil))
                let extent = item.labelledExtent
                try g.setAttribute("labelled_extent", [extent?.lowerBound ?? -1, extent?.upperBound ?? -1])
            }
        }
    }

    /// The root attributes of a dataset file.
    public struct Header: Sendable, Equatable {
        /// Where the data came from.
        public var source: String
        /// The case names, in file order.
        public var caseIDs: [String]
    }

    /// Opens `path` and checks that it is a dataset file.
    static func openChecked(_ path: String) throws -> (HDF5Group, Header) {
        let file: HDF5File
        do { file = try HDF5File.open(path) } catch let error as HDF5Error {
            throw DataError(file: path, field: error.object, message: error.message)
        }
        let root = try file.root
        guard root.hasAttribute("format"), try root.stringAttribute("format") == formatName else {
            throw DataError(file: path, field: "/@format", message: "not a SparseSeg dataset (expected format = \"\(formatName)\")")
        }
        let version: Int = try root.attribute("format_version")
        guard version == formatVersion else {
            throw DataError(file: path, field: "/@format_version", message: "version \(version) is not supported (this build reads \(formatVersion))")
        }
        let cases = try root.group("cases")
        return (cases, Header(source: try root.stringAttribute("source"), caseIDs: try cases.childNames()))
    }

    /// Reads the header (source and case names) without loading any volume.
    public static func header(_ path: String) throws -> Header {
        try wrapHDF5(path) { try openChecked(path).1 }
    }

    /// Reads every case of the file at `path`.
    public static func read(_ path: String) throws -> (header: Header, cases: [StoredCase]) {
        try wrapHDF5(path) {
            let (group, header) = try openChecked(path)
            let cases = try header.caseIDs.map { try readCase(group.group($0), id: $0, path: path) }
            return (header, cases)
        }
    }

    private static func readCase(_ g: HDF5Group, id: String, path: String) throws -> StoredCase {
        func spacing(_ name: String) throws -> Spacing {
            let v: [Double] = try g.attribute(name)
            guard v.count == 3 else { throw DataError(file: path, field: g.path + "/@" + name, message: "expected 3 values, found \(v.count)") }
            return Spacing(x: v[0], y: v[1], z: v[2])
        }
        let image = try g.read("image", as: Float.self)
        let label = try g.read("label", as: UInt8.self)
        let original = try g.read("label_original", as: UInt8.self)
        for (name, shape) in [("image", image.shape), ("label", label.shape), ("label_original", original.shape)] where shape.count != 3 {
            throw DataError(file: path, field: g.path + "/" + name, message: "expected 3 dimensions, found shape \(shape)")
        }
        guard image.shape == label.shape else {
            throw DataError(file: path, field: g.path + "/label", message: "shape \(label.shape) differs from image \(image.shape)")
        }
        guard original.shape[0] == image.shape[0] else {
            throw DataError(file: path, field: g.path + "/label_original", message: "has \(original.shape[0]) slices, the image \(image.shape[0])")
        }
        let origin: [Double] = try g.attribute("origin"), direction: [Double] = try g.attribute("direction")
        guard origin.count == 3, direction.count == 9 else {
            throw DataError(file: path, field: g.path + "/@origin", message: "expected 3 origin and 9 direction values")
        }
        let orientation = Orientation(origin: origin, direction: direction)
        let shape = VolumeShape(image.shape), originalShape = VolumeShape(original.shape)
        let storedSpacing = try spacing("spacing"), originalSpacing = try spacing("original_spacing")
        let mapping = InPlaneMapping(original: SliceSize(ny: originalShape.ny, nx: originalShape.nx), stored: SliceSize(ny: shape.ny, nx: shape.nx))
        let storedOrientation = mapping.storedOrientation(orientation, originalSpacing: originalSpacing)
        return StoredCase(
            id: id, site: try g.stringAttribute("site"),
            image: Volume(shape: shape, spacing: storedSpacing, orientation: storedOrientation, voxels: image.values),
            label: Volume(shape: shape, spacing: storedSpacing, orientation: storedOrientation, voxels: label.values),
            originalLabel: Volume(shape: originalShape, spacing: originalSpacing, orientation: orientation, voxels: original.values),
            sourceFile: try g.stringAttribute("source_file"))
    }

    private static func wrapHDF5<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as HDF5Error {
            throw DataError(file: path, field: error.object, message: error.message)
        }
    }
}
