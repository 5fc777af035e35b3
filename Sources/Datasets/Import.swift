import Foundation

/// Import of real datasets into the HDF5 store: PROMISE12 (MetaImage `CaseNN.mhd` with
/// `CaseNN_segmentation.mhd`) and the Medical Segmentation Decathlon's Task05_Prostate
/// (`imagesTr/*.nii.gz`, 4D with channel 0 = T2, and `labelsTr/*.nii.gz`, labels 1 and 2
/// merged into the whole gland).
public enum Importer {
    /// The preprocessing applied to every imported case.
    public struct Settings: Sendable, Equatable {
        /// In-plane size S of the stored grid, within ``inPlaneSizes``.
        public var inPlaneSize: Int
        /// Percentiles the intensities are clipped to before scaling to [0, 1].
        public var lowerPercentile: Double, upperPercentile: Double

        /// The in-plane sizes the command line accepts: below 16 `data synth` refuses them
        /// too, and past 1024 every stored slice takes over 4 MiB, so a dataset outgrows memory.
        public static let inPlaneSizes = 16...1024
        /// The voxels an image file may declare.
        public var limits: ImageLimits

        /// Settings with the paper-scale defaults: S = 256, percentiles 0.5 and 99.5.
        public init(inPlaneSize: Int = 256, lowerPercentile: Double = 0.5, upperPercentile: Double = 99.5, limits: ImageLimits = ImageLimits()) {
            self.inPlaneSize = inPlaneSize
            self.limits = limits
            self.lowerPercentile = lowerPercentile
            self.upperPercentile = upperPercentile
        }
    }

    /// Checks that an image and its mask share one grid; the error names the mask file and
    /// the header field that differs.
    public static func checkGeometry(image: MedicalImage, mask: MedicalImage, imagePath: String, maskPath: String) throws {
        let nifti = maskPath.lowercased().contains(".nii")
        guard image.size == mask.size else {
            throw DataError(file: maskPath, field: nifti ? "dim" : "DimSize", message: "mask size \(mask.size) differs from the image's \(image.size) (\(imagePath))")
        }
        func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0)) }
        }
        guard close(image.spacing, mask.spacing, 1e-3) else {
            throw DataError(file: maskPath, field: nifti ? "pixdim" : "ElementSpacing", message: "mask spacing \(mask.spacing) differs from the image's \(image.spacing) (\(imagePath))")
        }
        guard close(image.origin, mask.origin, 1e-3) else {
            throw DataError(file: maskPath, field: nifti ? "qoffset/srow" : "Offset", message: "mask origin \(mask.origin) differs from the image's \(image.origin) (\(imagePath))")
        }
        guard close(image.direction, mask.direction, 1e-3) else {
            throw DataError(file: maskPath, field: nifti ? "qform/sform" : "TransformMatrix", message: "mask direction \(mask.direction) differs from the image's \(image.direction) (\(imagePath))")
        }
    }

    /// Preprocesses one case: intensities clipped to the volume's percentiles and scaled to
    /// [0, 1], then every slice resampled to S x S (bilinear; the mask by nearest neighbour);
    /// the mask (any non-zero label = gland) also kept on the original grid.
    public static func preprocess(id: String, site: String, image: MedicalImage, mask: MedicalImage,
                                  imagePath: String, maskPath: String, settings: Settings) throws -> StoredCase {
        guard image.dimensions == 3 else {
            throw DataError(file: imagePath, field: imagePath.lowercased().contains(".nii") ? "dim[0]" : "NDims", message: "expected a 3D volume, found \(image.dimensions)D")
        }
        try checkGeometry(image: image, mask: mask, imagePath: imagePath, maskPath: maskPath)
        return preprocess(id: id, site: site, volume: try image.imageVolume(file: imagePath), mask: try mask.labelVolume(file: maskPath),
                          sourceFile: imagePath, settings: settings)
    }

    /// The preprocessing of ``preprocess(id:site:image:mask:imagePath:maskPath:settings:)`` on
    /// volumes already known to share one grid; the phantom's native-grid cases go through it
    /// too, so that they reach the networks and the scoring exactly as imported cases do.
    public static func preprocess(id: String, site: String, volume image: ImageVolume, mask: LabelVolume, sourceFile: String,
                                  settings: Settings) -> StoredCase {
        precondition(image.shape == mask.shape, "image \(image.shape) and mask \(mask.shape) share one grid")
        var volume = image
        volume.voxels = Preprocessing.normalise(volume.voxels, lower: settings.lowerPercentile, upper: settings.upperPercentile)
        var original = mask
        original.voxels = original.voxels.map { $0 != 0 ? 1 : 0 }
        let mapping = InPlaneMapping(original: SliceSize(ny: volume.shape.ny, nx: volume.shape.nx), stored: SliceSize(square: settings.inPlaneSize))
        let shape = VolumeShape(nz: volume.shape.nz, ny: settings.inPlaneSize, nx: settings.inPlaneSize)
        let spacing = mapping.storedSpacing(volume.spacing)
        let orientation = mapping.storedOrientation(volume.orientation, originalSpacing: volume.spacing)
        let stored = Volume(shape: shape, spacing: spacing, orientation: orientation, voxels: volume.slices.flatMap(mapping.imageToStored))
        let label = Volume(shape: shape, spacing: spacing, orientation: orientation, voxels: original.slices.flatMap(mapping.maskToStored))
        return StoredCase(id: id, site: site, image: stored, label: label, originalLabel: original, sourceFile: sourceFile)
    }

    // MARK: PROMISE12

    /// Reads every `CaseNN.mhd` (or `.mha`) of `directory` with its `CaseNN_segmentation`
    /// mask. The site of each case comes from `sites.csv` in the directory ("CaseNN,site" per
    /// line) when present, else from its acquisition protocol: in-plane size and spacing, for
    /// example "512x512@0.27mm".
    public static func promise12(_ directory: String, settings: Settings = Settings()) throws -> [StoredCase] {
        let names = try listDirectory(directory, expecting: "CaseNN.mhd")
        let images = names.filter { name in
            let lower = name.lowercased()
            return lower.hasPrefix("case") && (lower.hasSuffix(".mhd") || lower.hasSuffix(".mha")) && !lower.contains("_segmentation")
        }.sorted()
        guard !images.isEmpty else {
            throw DataError(file: directory, field: "CaseNN.mhd", message: "no PROMISE12 images (CaseNN.mhd or CaseNN.mha) in the directory")
        }
        let sites = try readSites(directory)
        return try images.map { name in
            let id = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            let imagePath = directory.appendingPathComponent(name)
            let maskPath = directory.appendingPathComponent("\(id)_segmentation.\(ext)")
            guard FileManager.default.fileExists(atPath: maskPath) else {
                throw DataError(file: maskPath, field: "CaseNN_segmentation.\(ext)", message: "missing: the segmentation of \(imagePath)")
            }
            let image = try MetaImage.read(imagePath, limits: settings.limits), mask = try MetaImage.read(maskPath, limits: settings.limits)
            let site = sites[id] ?? String(format: "%dx%d@%.2fmm", image.size[0], image.size[1], image.spacing[0])
            return try preprocess(id: id, site: site, image: image, mask: mask, imagePath: imagePath, maskPath: maskPath, settings: settings)
        }
    }

    private static func readSites(_ directory: String) throws -> [String: String] {
        let path = directory.appendingPathComponent("sites.csv")
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var sites: [String: String] = [:]
        for (number, line) in String(decoding: try readBytes(path, field: "sites.csv"), as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw DataError(file: path, field: "line \(number + 1)", message: "expected \"case,site\", found \"\(line)\"")
            }
            sites[fields[0]] = fields[1]
        }
        return sites
    }

    // MARK: Decathlon

    /// Reads `imagesTr/*.nii.gz` (channel 0, T2) with `labelsTr/` masks of the same name; the
    /// macOS "._" files the Decathlon archives carry are skipped. All cases get site
    /// "decathlon" (one centre).
    public static func decathlon(_ directory: String, settings: Settings = Settings()) throws -> [StoredCase] {
        let imagesDirectory = directory.appendingPathComponent("imagesTr")
        let labelsDirectory = directory.appendingPathComponent("labelsTr")
        let names = try listDirectory(imagesDirectory, expecting: "imagesTr").filter { name in
            let lower = name.lowercased()
            return !name.hasPrefix(".") && (lower.hasSuffix(".nii.gz") || lower.hasSuffix(".nii"))
        }.sorted()
        guard !names.isEmpty else {
            throw DataError(file: imagesDirectory, field: "imagesTr", message: "no NIfTI images (*.nii.gz) in the directory")
        }
        return try names.map { name in
            let id = name.replacingOccurrences(of: ".nii.gz", with: "").replacingOccurrences(of: ".nii", with: "")
            let imagePath = imagesDirectory.appendingPathComponent(name)
            let maskPath = labelsDirectory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: maskPath) else {
                throw DataError(file: maskPath, field: "labelsTr", message: "missing: the label of \(imagePath)")
            }
            let image = try NIfTI.read(imagePath, channel: 0, limits: settings.limits), mask = try NIfTI.read(maskPath, limits: settings.limits)
            return try preprocess(id: id, site: "decathlon", image: image, mask: mask, imagePath: imagePath, maskPath: maskPath, settings: settings)
        }
    }

    /// The names in `directory`; a missing or unreadable directory is reported under `field`,
    /// what the importer expected to find there, so the user learns the layout it wants.
    private static func listDirectory(_ directory: String, expecting field: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(file: directory, field: field, message: "no such directory (expected one holding \(field))")
        }
        do { return try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw DataError(file: directory, field: field, message: "cannot list the directory: \(error.localizedDescription)")
        }
    }
}
