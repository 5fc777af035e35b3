import Datasets
import Foundation
import VoxelGeometry
import XCTest

final class LabelFirewallTests: XCTestCase {
    /// Walks every stored value reachable from `value` and collects the byte arrays (masks)
    /// and label volumes it holds.
    private func masks(in value: Any) -> (byteArrays: [[UInt8]], labelVolumes: Int) {
        var arrays: [[UInt8]] = [], volumes = 0
        func walk(_ v: Any) {
            if let bytes = v as? [UInt8] { arrays.append(bytes); return }
            if v is LabelVolume { volumes += 1; return }
            if v is [Float] || v is [[Float]] { return }
            for child in Mirror(reflecting: v).children { walk(child.value) }
        }
        walk(value)
        return (arrays, volumes)
    }

    func testATrainingViewHoldsOnlyTheCentralSliceMaskOfEachTrainingCase() throws {
        let cases = Phantom.generate(PhantomSettings(cases: 10, seed: 4, inPlaneSize: 32))
        let dataset = Dataset(cases: cases, source: "phantom")
        let split = try dataset.folds(k: 5, seed: 1)
        let byID = Dictionary(uniqueKeysWithValues: cases.map { ($0.id, $0) })
        for fold in 0..<5 {
            let view = try dataset.trainingView(fold: fold, of: split)
            XCTAssertEqual(view.cases.map(\.info.id), split.trainingIDs(fold))
            XCTAssertTrue(Set(view.cases.map(\.info.id)).isDisjoint(with: split.testIDs(fold)))
            let found = masks(in: view)
            XCTAssertEqual(found.labelVolumes, 0, "a training view holds a label volume")
            XCTAssertEqual(found.byteArrays.count, view.cases.count, "exactly one mask per training case")
            for item in view.cases {
                let truth = byID[item.info.id]!
                let central = truth.image.shape.nz / 2
                XCTAssertEqual(item.label.sliceIndex, central)
                XCTAssertEqual(item.info.centralSlice, central)
                XCTAssertEqual(item.label.mask, truth.label.slice(central))
                XCTAssertTrue(item.label.mask.contains(1), "the phantom's central slice shows the gland")
                XCTAssertEqual(item.images.count, truth.image.shape.nz, "images of all slices")
                XCTAssertEqual(item.images[3], truth.image.slice(3))
                XCTAssertFalse(item.unlabelledSlices.contains(central))
                XCTAssertEqual(item.unlabelledSlices.count, truth.image.shape.nz - 1)
            }
            XCTAssertEqual(view.labelledSlices.count, view.cases.count)
            XCTAssertEqual(view.unlabelledSlices.count, view.cases.map { $0.images.count - 1 }.reduce(0, +))
            XCTAssertEqual(view.adjacentPairs.count, view.cases.map { 2 * ($0.images.count - 1) }.reduce(0, +))
            XCTAssertTrue(view.adjacentPairs.allSatisfy { abs($0.moving - $0.fixed) == 1 })
        }
    }

    func testTheLabelledExtentRuleMovesTheLabelledSlice() throws {
        let item = boxCase(id: "Box", site: "A", slices: 9)  // foreground in slices 1...3
        let view = try {
            let dataset = Dataset(cases: [item, boxCase(id: "Other", site: "A", slices: 9)], source: "test", rule: .labelledExtentMiddle)
            return try dataset.trainingView(fold: 0, of: try dataset.folds(k: 2, seed: 1))
        }()
        XCTAssertEqual(view.cases[0].label.sliceIndex, 2)
        XCTAssertEqual(view.cases[0].label.mask, item.label.slice(2))
    }

    func testFullMasksAreReachableOnlyThroughTestCasesAndHiddenLabels() throws {
        let cases = Phantom.generate(PhantomSettings(cases: 6, seed: 4, inPlaneSize: 32))
        let dataset = Dataset(cases: cases, source: "phantom")
        let split = try dataset.folds(k: 3, seed: 2)
        let hidden = try dataset.hiddenLabels(fold: 1, of: split)
        XCTAssertEqual(hidden.caseIDs, split.trainingIDs(1).sorted())
        for id in split.trainingIDs(1) { XCTAssertEqual(hidden.mask(of: id)?.voxels, cases.first { $0.id == id }!.label.voxels) }
        for id in split.testIDs(1) { XCTAssertNil(hidden.mask(of: id), "hidden labels cover training cases only") }
        let tests = try dataset.testCases(fold: 1, of: split)
        XCTAssertEqual(tests.map(\.info.id), split.testIDs(1))
        for test in tests {
            let truth = cases.first { $0.id == test.info.id }!
            XCTAssertEqual(test.reference.voxels, truth.originalLabel.voxels)
            XCTAssertEqual(test.images.count, truth.image.shape.nz)
        }
        XCTAssertThrowsError(try dataset.trainingView(fold: 3, of: split))
        let foreign = try FoldSplit.stratified([("x", "A"), ("y", "A")], k: 2, seed: 1)
        XCTAssertThrowsError(try dataset.trainingView(fold: 0, of: foreign))
    }

    func testPredictionsMapBackToTheOriginalGrid() throws {
        let item = boxCase(id: "Box", site: "A", size: 8, original: 12)
        let dataset = Dataset(cases: [item, boxCase(id: "Other", site: "B")], source: "test")
        let split = try dataset.folds(k: 2, seed: 1)
        let test = try dataset.testCases(fold: 0, of: split) + dataset.testCases(fold: 1, of: split)
        let box = test.first { $0.info.id == "Box" }!
        // Predicting the stored mask exactly gives back the original reference.
        let mapped = box.predictionToOriginal(item.label.slices)
        XCTAssertEqual(mapped.shape, VolumeShape(nz: 5, ny: 12, nx: 12))
        XCTAssertEqual(mapped.spacing, Spacing(x: 0.5, y: 0.5, z: 3))
        XCTAssertEqual(mapped.voxels, box.reference.voxels)
        let probabilities = box.probabilitiesToOriginal(item.label.slices.map { $0.map { Float($0) } })
        XCTAssertEqual(probabilities.shape, mapped.shape)
        XCTAssertGreaterThan(dice(probabilities.voxels, mapped.voxels), 0.8)
    }
}
