/// Reads and writes images by file name: `.mhd`, `.mha`, `.nii`, `.nii.gz`.
public enum ImageIO {
    /// Reads an image, choosing the format from the file name. `channel` picks the volume of a
    /// 4D NIfTI file; `limits` bounds what the header may declare.
    public static func read(_ path: String, channel: Int = 0, limits: ImageLimits = ImageLimits()) throws -> MedicalImage {
        let lower = path.lowercased()
        if lower.hasSuffix(".mhd") || lower.hasSuffix(".mha") { return try MetaImage.read(path, limits: limits) }
        if lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") { return try NIfTI.read(path, channel: channel, limits: limits) }
        throw DataError(file: path, field: "", message: "unknown image format (expected .mhd, .mha, .nii or .nii.gz)")
    }

    /// Writes an image, choosing the format from the file name.
    public static func write(_ image: MedicalImage, to path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".mhd") || lower.hasSuffix(".mha") { return try MetaImage.write(image, to: path) }
        if lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz") { return try NIfTI.write(image, to: path) }
        throw DataError(file: path, field: "", message: "unknown image format (expected .mhd, .mha, .nii or .nii.gz)")
    }
}
