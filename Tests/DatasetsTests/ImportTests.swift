import Datasets
import Foundation
import VoxelGeometry
import XCTest

/// Helpers that lay out small PROMISE12 and Decathlon directories with our writers.
enum ImportFixtures {
    /// A 20 x 16 x 5 int16 image with a gland-like box and its mask (labels `labels`).
    static func pair(spacing: [Double] = [0.4, 0.5, 3.6], labels: [Double] = [1]) -> (image: MedicalImage, mask: MedicalImage) {
        let size = [20, 16, 5]
        var image = [Double](repeating: 0, count: 1600), mask = [Double](repeating: 0, count: 1600)
        for z in 0..<5 {
            for y in 0..<16 {
                for x in 0..<20 {
                    let i = (z * 16 + y) * 20 + x
                    let pattern: Int = (x * 13 + y * 7 + z * 3) % 50
                    image[i] = Double(pattern + 100)
                    if (1...3).contains(z) && (6..<14).contains(x) && (4..<12).contains(y) {
                        mask[i] = labels[x % labels.count]
                        image[i] += 200
                    }
                }
            }
        }
        image[0] = 30000  // an outlier for the percentile clipping
        return (MedicalImage(size: size, spacing: spacing, origin: [1, 2, 3], elementType: .int16, values: image),
                MedicalImage(size: size, spacing: spacing, origin: [1, 2, 3], elementType: .uint8, values: mask))
    }

    /// A Decathlon layout of one case, prostate_00, with labels 1 and 2 in its mask.
    static func decathlon(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/imagesTr", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/labelsTr", withIntermediateDirectories: true)
        let (image, mask) = pair(labels: [1, 2])
        try NIfTI.write(image, to: directory + "/imagesTr/prostate_00.nii.gz")
        try NIfTI.write(mask, to: directory + "/labelsTr/prostate_00.nii.gz")
    }

    /// Writes a 4D NIfTI file of `channels`, all of one geometry: our writer makes 3D files,
    /// so the header of the first channel's file gets dim[0] = 4 and dim[4], and the other
    /// channels' data follow its data, as in the Decathlon's T2 + ADC images.
    static func writeFourDimensional(_ channels: [MedicalImage], to path: String) throws {
        let plain = path + ".3d.nii"
        defer { try? FileManager.default.removeItem(atPath: plain) }
        try NIfTI.write(channels[0], to: plain)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
        bytes[40] = 4
        bytes[48] = UInt8(channels.count)
        for channel in channels.dropFirst() {
            precondition(channel.size == channels[0].size && channel.elementType == .int16, "one grid, int16")
            for value in channel.values {
                let bits = UInt16(bitPattern: Int16(value))
                bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        }
        try Data(Zlib.compress(bytes, format: .gzip)).write(to: URL(fileURLWithPath: path))
    }

    static func promise12(_ directory: String, cases: Int = 3) throws {
        for index in 0..<cases {
            let (image, mask) = pair(spacing: index == 2 ? [0.3, 0.3, 3] : [0.4, 0.5, 3.6])
            try MetaImage.write(image, to: "\(directory)/Case0\(index).mhd")
            try MetaImage.write(mask, to: "\(directory)/Case0\(index)_segmentation.mhd")
        }
    }
}

final class ImportTests: XCTestCase {
    func testPROMISE12ImportResamplesNormalisesAndKeepsTheOriginalMask() throws {
        let directory = try temporaryDirectory(self)
        try ImportFixtures.promise12(directory)
        try "Case00, RUNMC\nCase01,BIDMC\n".write(toFile: directory + "/sites.csv", atomically: true, encoding: .utf8)
        let cases = try Importer.promise12(directory, settings: .init(inPlaneSize: 8))
        XCTAssertEqual(cases.map(\.id), ["Case00", "Case01", "Case02"])
        XCTAssertEqual(cases.map(\.site), ["RUNMC", "BIDMC", "20x16@0.30mm"])
        let mask = ImportFixtures.pair().mask
        let first = cases[0]
        XCTAssertEqual(first.image.shape, VolumeShape(nz: 5, ny: 8, nx: 8))
        XCTAssertEqual(first.image.spacing, Spacing(x: 0.4 * 20 / 8, y: 0.5 * 16 / 8, z: 3.6))
        XCTAssertEqual(first.originalLabel.shape, VolumeShape(nz: 5, ny: 16, nx: 20))
        XCTAssertEqual(first.originalLabel.voxels, mask.values.map { UInt8($0) })
        XCTAssertEqual(first.originalLabel.spacing, Spacing(x: 0.4, y: 0.5, z: 3.6))
        XCTAssertEqual(first.originalLabel.orientation.origin, [1, 2, 3])
        // Normalised to [0, 1] before the (averaging) downsampling.
        XCTAssertTrue(first.image.voxels.allSatisfy { (0...1).contains($0) })
        XCTAssertGreaterThan(first.image.voxels.max()!, 0.9)
        XCTAssertEqual(first.label.labelledSlices, [1, 2, 3])
        XCTAssertTrue(first.sourceFile.hasSuffix("Case00.mhd"))
        // The bright gland stays bright after normalisation: the outlier was clipped.
        let inside = zip(first.image.voxels, first.label.voxels).filter { $0.1 == 1 }.map(\.0)
        let outside = zip(first.image.voxels, first.label.voxels).filter { $0.1 == 0 }.map(\.0)
        XCTAssertGreaterThan(inside.reduce(0, +) / Float(inside.count), 0.7)
        XCTAssertLessThan(outside.reduce(0, +) / Float(outside.count), 0.3)
    }

    func testImportWritesADatasetThatOpensForExperiments() throws {
        let directory = try temporaryDirectory(self)
        try ImportFixtures.promise12(directory)
        let out = directory + "/promise12.h5"
        try DatasetFile.write(try Importer.promise12(directory, settings: .init(inPlaneSize: 8)), source: "promise12", to: out)
        let dataset = try Dataset(contentsOf: out)
        XCTAssertEqual(dataset.source, "promise12")
        XCTAssertEqual(dataset.cases.map(\.centralSlice), [2, 2, 2])
        XCTAssertEqual(dataset.cases[0].originalSize, SliceSize(ny: 16, nx: 20))
        let split = try dataset.folds(k: 3, seed: 1)
        let test = try dataset.testCases(fold: 0, of: split)[0]
        XCTAssertEqual(test.reference.shape, VolumeShape(nz: 5, ny: 16, nx: 20))
        XCTAssertEqual(test.predictionToOriginal(test.storedReference.slices).shape, test.reference.shape)
        XCTAssertGreaterThan(dice(test.predictionToOriginal(test.storedReference.slices).voxels, test.reference.voxels), 0.85)
    }

    func testDecathlonImportTakesChannelZeroAndMergesTheZones() throws {
        let directory = try temporaryDirectory(self)
        try ImportFixtures.decathlon(directory)
        let mask = ImportFixtures.pair(labels: [1, 2]).mask
        XCTAssertEqual(Set(mask.values), [0, 1, 2])
        // The Decathlon archive's macOS resource forks are not images.
        try Data([0, 1, 2]).write(to: URL(fileURLWithPath: directory + "/imagesTr/._prostate_00.nii.gz"))
        let cases = try Importer.decathlon(directory, settings: .init(inPlaneSize: 10))
        XCTAssertEqual(cases.map(\.id), ["prostate_00"])
        XCTAssertEqual(cases[0].site, "decathlon")
        XCTAssertEqual(Set(cases[0].originalLabel.voxels), [0, 1])
        XCTAssertEqual(cases[0].originalLabel.voxels, mask.values.map { $0 > 0 ? 1 : 0 })
        XCTAssertEqual(cases[0].image.shape, VolumeShape(nz: 5, ny: 10, nx: 10))
    }

    /// A 4D Decathlon image (T2, then ADC): the import stores channel 0, not channel 1 whose
    /// voxels are channel 0's in reverse order (the same intensities, so percentiles cannot
    /// tell them apart; only the place of the bright gland can).
    func testDecathlonImportStoresChannelZeroOfAFourDimensionalImage() throws {
        let directory = try temporaryDirectory(self)
        try ImportFixtures.decathlon(directory)
        let (t2, mask) = ImportFixtures.pair(labels: [1, 2])
        var adc = t2
        adc.values.reverse()
        let imagePath = directory + "/imagesTr/prostate_00.nii.gz", maskPath = directory + "/labelsTr/prostate_00.nii.gz"
        try ImportFixtures.writeFourDimensional([t2, adc], to: imagePath)
        XCTAssertEqual(try NIfTI.read(imagePath, channel: 0).values, t2.values)
        XCTAssertEqual(try NIfTI.read(imagePath, channel: 1).values, adc.values)

        let settings = Importer.Settings(inPlaneSize: 10)
        let stored = try XCTUnwrap(Importer.decathlon(directory, settings: settings).first)
        func preprocessed(_ image: MedicalImage) throws -> [Float] {
            try Importer.preprocess(id: "x", site: "x", image: image, mask: mask, imagePath: imagePath, maskPath: maskPath, settings: settings).image.voxels
        }
        // Boolean checks: a failure printing two volumes would bury its message.
        XCTAssertTrue(stored.image.voxels == (try preprocessed(t2)), "the stored image is not channel 0 preprocessed")
        XCTAssertFalse(stored.image.voxels == (try preprocessed(adc)), "the stored image is channel 1")
        // The bright gland lies under the mask: it would not for channel 1.
        let inside = zip(stored.image.voxels, stored.label.voxels).filter { $0.1 == 1 }.map(\.0)
        XCTAssertGreaterThan(inside.reduce(0, +) / Float(inside.count), 0.7)
        // Labels 1 and 2 (both present in the file) merged into one gland.
        XCTAssertEqual(Set(mask.values), [0, 1, 2])
        XCTAssertEqual(stored.originalLabel.voxels, mask.values.map { $0 > 0 ? 1 : 0 })
        XCTAssertEqual(Set(stored.label.voxels), [0, 1])
    }
}
