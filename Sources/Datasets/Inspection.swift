import Foundation
import VoxelGeometry

/// What `sparseseg data inspect` reports about an image file.
public struct ImageSummary: Sendable, Equatable, Codable {
    /// Size per axis in the header's order, x first (MetaImage DimSize, NIfTI dim).
    public var size: [Int]
    /// Spacing per axis in mm, x first.
    public var spacing: [Double]
    /// Element type as stored, for example "int16".
    public var type: String
    /// Smallest, largest and mean value.
    public var min: Double, max: Double, mean: Double

    /// Summarises an image.
    public init(_ image: MedicalImage) {
        let stats = image.statistics
        size = image.size
        spacing = image.spacing
        type = image.elementType.rawValue
        min = stats.min
        max = stats.max
        mean = stats.mean
    }
}

/// What `sparseseg data inspect` reports about one case of a dataset file.
public struct CaseSummary: Sendable, Equatable, Codable {
    /// The case name.
    public var id: String
    /// The acquisition site.
    public var site: String
    /// Stored size [nx, ny, nz].
    public var size: [Int]
    /// Stored spacing [x, y, z] in mm.
    public var spacing: [Double]
    /// Original size [nx, ny, nz].
    public var originalSize: [Int]
    /// Original spacing [x, y, z] in mm.
    public var originalSpacing: [Double]
    /// The central (labelled) slice.
    public var centralSlice: Int

    /// Summarises a case's description.
    public init(_ info: CaseInfo) {
        id = info.id
        site = info.site
        size = [info.shape.nx, info.shape.ny, info.shape.nz]
        spacing = info.spacing.xyz
        originalSize = [info.originalSize.nx, info.originalSize.ny, info.shape.nz]
        originalSpacing = info.originalSpacing.xyz
        centralSlice = info.centralSlice
    }
}
