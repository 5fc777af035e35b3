import ArgumentParser
import Datasets

/// `--max-voxels`, on every command that reads image files.
struct ImageLimitOptions: ParsableArguments {
    @Option(help: "The most voxels an image file may declare (every channel of a 4D NIfTI file counts).")
    var maxVoxels = ImageLimits.defaultMaxVoxels

    func validate() throws {
        guard maxVoxels > 0 else { throw flagError("--max-voxels must be positive, found \(maxVoxels)") }
    }

    /// The limits image readers check headers against.
    var limits: ImageLimits { ImageLimits(maxVoxels: maxVoxels) }
}
