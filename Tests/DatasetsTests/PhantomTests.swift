import Datasets
import SharedTestSupport
import SeededRandom
import XCTest

final class PhantomTests: XCTestCase {
    func testTheSameSeedGivesTheSameDatasetAndAnotherSeedAnother() {
        let settings = PhantomSettings(cases: 4, seed: 11, inPlaneSize: 48)
        let first = Phantom.generate(settings), second = Phantom.generate(settings)
        for (a, b) in zip(first, second) {
            XCTAssertEqual(a.id, b.id)
            XCTAssertEqual(a.image.shape, b.image.shape)
            XCTAssertEqual(a.image.voxels, b.image.voxels)
            XCTAssertEqual(a.label.voxels, b.label.voxels)
            XCTAssertEqual(a.image.spacing, b.image.spacing)
        }
        // One case alone is the same as that case generated among others.
        XCTAssertEqual(Phantom.generateCase(2, settings: settings).image.voxels, first[2].image.voxels)
        var other = settings
        other.seed = 12
        XCTAssertNotEqual(Phantom.generate(other)[0].image.voxels, first[0].image.voxels)
    }

    /// Each case is acquired on its site's native grid, about 0.6 mm in-plane like PROMISE12,
    /// where its reference mask stays; the stored S x S grid covers the same field of view.
    func testGeometryFollowsTheSites() {
        let cases = Phantom.generate(PhantomSettings(cases: 4, seed: 3, inPlaneSize: 64))
        XCTAssertEqual(cases.map(\.site), ["A", "B", "C", "D"])
        XCTAssertEqual(cases.map(\.id), (0..<4).map { String(format: "Case%02d", $0) })
        for item in cases {
            let site = PhantomSite.defaults.first { $0.name == item.site }!
            XCTAssertTrue(site.slices.contains(item.image.shape.nz))
            XCTAssertTrue((15...40).contains(item.image.shape.nz))
            XCTAssertEqual(item.image.shape.ny, 64)
            let native = item.originalLabel
            XCTAssertEqual([native.shape.ny, native.shape.nx], [site.nativeMatrix, site.nativeMatrix])
            XCTAssertEqual(native.spacing.x, site.fieldOfView / Double(site.nativeMatrix), accuracy: site.fieldOfView / Double(site.nativeMatrix) * 0.051)
            XCTAssertTrue((0.55...0.7).contains(native.spacing.x), "native in-plane spacing \(native.spacing.x)")
            XCTAssertTrue((2.8...4.3).contains(native.spacing.z), "slice spacing \(native.spacing.z)")
            XCTAssertEqual(item.image.spacing.x, native.spacing.x * Double(site.nativeMatrix) / 64, accuracy: 1e-9)
            XCTAssertEqual(item.image.spacing.z, native.spacing.z)
            // The stored mask is the native one resampled as an import resamples it.
            XCTAssertTrue(item.label.voxels == native.slices.flatMap(item.mapping.maskToStored), "\(item.id): stored mask is not the native one resampled")
            XCTAssertTrue(item.image.voxels.allSatisfy { (0...1).contains($0) })
        }
    }

    /// The gland spans several slices, the central one among them, and its cross-section
    /// changes enough from slice to slice that the central mask is a poor guess for the others.
    func testTheGlandVariesAlongTheVolume() {
        let cases = Phantom.generate(PhantomSettings(cases: 8, seed: 5, inPlaneSize: 64))
        var adjacentDice: [Double] = [], farDice: [Double] = []
        for item in cases {
            let labelled = item.label.labelledSlices
            let central = item.image.shape.nz / 2
            XCTAssertTrue(labelled.contains(central), "\(item.id): central slice \(central) has no gland (\(labelled))")
            XCTAssertGreaterThanOrEqual(labelled.count, 7, "\(item.id)")
            XCTAssertEqual(labelled, Array(labelled.first!...labelled.last!), "the gland is one block of slices")
            let areas = labelled.map { z in item.label.slice(z).reduce(0) { $0 + Int($1) } }
            // Widest inside, small at both ends.
            XCTAssertLessThan(areas.first!, areas.max()! / 2, "\(item.id) apex \(areas)")
            XCTAssertLessThan(Double(areas.last!), 0.7 * Double(areas.max()!), "\(item.id) base \(areas)")
            for (a, b) in zip(labelled, labelled.dropFirst()) { adjacentDice.append(dice(item.label.slice(a), item.label.slice(b))) }
            for z in labelled where abs(z - central) >= 3 { farDice.append(dice(item.label.slice(central), item.label.slice(z))) }
        }
        let meanAdjacent = adjacentDice.reduce(0, +) / Double(adjacentDice.count)
        let meanFar = farDice.reduce(0, +) / Double(farDice.count)
        XCTAssertLessThan(meanAdjacent, 0.9, "adjacent slices are too alike")
        XCTAssertGreaterThan(meanAdjacent, 0.5, "adjacent slices are unrelated")
        XCTAssertLessThan(meanFar, 0.6, "the central mask predicts distant slices too well")
    }

    /// Confounders: some tissue outside the gland is as bright as the gland's brighter half,
    /// so intensity alone cannot segment it.
    func testTissueOutsideTheGlandOverlapsItsIntensities() {
        let item = Phantom.generateCase(0, settings: PhantomSettings(cases: 1, seed: 9, inPlaneSize: 64))
        let z = item.image.shape.nz / 2
        let image = item.image.slice(z), label = item.label.slice(z)
        let inside = zip(image, label).filter { $0.1 == 1 }.map(\.0).sorted()
        let low = inside[inside.count / 4], high = inside[3 * inside.count / 4]
        let outsideAlike = zip(image, label).filter { $0.1 == 0 && (low...high).contains($0.0) }.count
        XCTAssertGreaterThan(outsideAlike, inside.count, "few gland-like pixels outside the gland")
    }

    /// No intensity window segments the gland: the best window over a grid of quantiles
    /// reaches a poor Dice on the central slice of every site.
    func testNoIntensityWindowSegmentsTheGland() {
        let cases = Phantom.generate(PhantomSettings(cases: 4, seed: 21, inPlaneSize: 64))
        for item in cases {
            let z = item.image.shape.nz / 2
            let image = item.image.slice(z), label = item.label.slice(z)
            let levels = (0...20).map { Preprocessing.percentile(image, Double($0) * 5) }
            var best = 0.0
            for (i, low) in levels.enumerated() {
                for high in levels[(i + 1)...] {
                    let guess: [UInt8] = image.map { $0 >= low && $0 <= high ? 1 : 0 }
                    best = max(best, dice(guess, label))
                }
            }
            XCTAssertLessThan(best, 0.5, "site \(item.site): an intensity window reaches Dice \(best)")
        }
    }

    /// Rician statistics: with no signal the magnitude is Rayleigh, mean sigma * sqrt(pi / 2);
    /// with signal A the second moment is A^2 + 2 sigma^2.
    func testRicianNoiseHasTheRicianMoments() {
        var rng = SeededGenerator(seed: 3)
        var zero = [Float](repeating: 0, count: 200_000)
        Phantom.addRicianNoise(to: &zero, sigma: 0.1, using: &rng)
        let mean = zero.reduce(0, +) / Float(zero.count)
        XCTAssertEqual(mean, 0.1 * (Float.pi / 2).squareRoot(), accuracy: 0.001)
        XCTAssertTrue(zero.allSatisfy { $0 >= 0 })
        var bright = [Float](repeating: 0.8, count: 200_000)
        Phantom.addRicianNoise(to: &bright, sigma: 0.1, using: &rng)
        let second = bright.map { $0 * $0 }.reduce(0, +) / Float(bright.count)
        XCTAssertEqual(second, 0.64 + 2 * 0.01, accuracy: 0.002)
    }

    func testTheMontageShowsSevenSlicesPerCase() throws {
        let cases = Phantom.generate(PhantomSettings(cases: 2, seed: 1, inPlaneSize: 32))
        let sheet = Montage.render(cases, tile: 40)
        XCTAssertGreaterThan(sheet.width, 7 * 40 + 8 * 2, "seven tiles and the row labels")
        XCTAssertGreaterThan(sheet.height, 2 * 40 + 3 * 2, "two rows, the tiles' labels and the legend")
        XCTAssertEqual(sheet.rgb.count, sheet.width * sheet.height * 3)
        let slices = Montage.slices(of: cases[0])
        XCTAssertTrue(slices.contains(cases[0].image.shape.nz / 2))
        XCTAssertEqual(slices, slices.sorted())
        // The green outline of the central slice is drawn.
        let green = stride(from: 0, to: sheet.rgb.count, by: 3).filter { sheet.rgb[$0] == 40 && sheet.rgb[$0 + 1] == 230 }.count
        XCTAssertGreaterThan(green, 10)
    }

    /// `sparseseg data synth --montage`: the dataset file and a valid PNG of one row of seven
    /// 128-pixel tiles per case (the first four cases).
    func testTheCommandLineWritesTheDatasetAndItsMontage() throws {
        let binary = try sparsesegExecutable()
        let directory = try temporaryDirectory(self)
        let out = directory + "/phantom.h5", montage = directory + "/montage.png"
        let result = try runProgram(binary, ["data", "synth", "--out", out, "--cases", "5", "--size", "32", "--seed", "3", "--montage", montage])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try DatasetFile.header(out).caseIDs, (0..<5).map { Phantom.caseID($0, count: 5) })
        let png = try PNGFacts([UInt8](try Data(contentsOf: URL(fileURLWithPath: montage))))
        XCTAssertEqual(png.chunkTypes.first, "IHDR")
        XCTAssertEqual(png.chunkTypes.last, "IEND")
        XCTAssertGreaterThan(png.width, 7 * 128 + 8 * 2)
        XCTAssertGreaterThan(png.height, 4 * 128 + 5 * 2)
        XCTAssertEqual([png.bitDepth, png.colourType], [8, 2], "8-bit RGB")
        XCTAssertEqual(png.scanlines.count, png.height * (1 + 3 * png.width))
        // The montage shows what the library renders for the same cases.
        let sheet = Montage.render(Phantom.generate(PhantomSettings(cases: 5, seed: 3, inPlaneSize: 32)).prefix(4).map { $0 }, tile: 128)
        XCTAssertEqual([sheet.width, sheet.height], [png.width, png.height])
        // Our encoder writes filter 0 (None) on every row, so the rows are the pixels.
        let pixels = try XCTUnwrap(png.rgbPixels, "a row with a filter")
        XCTAssertTrue(pixels == sheet.rgb, "the PNG's pixels differ from the rendered montage")
    }
}

/// Dice of two binary slices (1 when both are empty).
func dice(_ a: [UInt8], _ b: [UInt8]) -> Double {
    var both = 0, sum = 0
    for (x, y) in zip(a, b) {
        if x != 0 && y != 0 { both += 1 }
        sum += Int(x != 0 ? 1 : 0) + Int(y != 0 ? 1 : 0)
    }
    return sum == 0 ? 1 : 2 * Double(both) / Double(sum)
}
