import Foundation
import HDF5
import XCTest

@testable import TrainingCore

func trainStep(_ net: UNet, _ optimiser: any Optimiser, _ images: Tensor, _ labels: [Int32]) -> Float {
    net.trainStep(images: images, labels: labels, optimiser: optimiser)
}

final class CheckpointTests: XCTestCase {
    private let config = UNetConfiguration(widths: [4, 8, 8], encoderDropout: [0.1, 0.2, 0.5])
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainingcore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func testSavedModelPredictsBitIdentically() throws {
        let (images, labels) = disks(batch: 2, size: 16)
        let net = UNet(configuration: config, seed: 1)
        let adam = Adam(parameters: net.parameters, learningRate: 1e-2)
        for _ in 0..<3 { _ = trainStep(net, adam, images, labels) }
        let path = directory.appendingPathComponent("model.h5").path
        try Checkpoint.save(to: path, model: net, step: 3)
        // Built from another seed: every weight and statistic must come from the file.
        let loaded = UNet(configuration: config, seed: 99)
        XCTAssertEqual(try Checkpoint.load(from: path, into: loaded), 3)
        net.setTraining(false)
        loaded.setTraining(false)
        XCTAssertEqual(loaded.forward(images), net.forward(images))
        XCTAssertEqual(loaded.predict(images), Softmax.forward(net.forward(images)))
    }

    func testTrainingResumesExactly() throws {
        let (images, labels) = disks(batch: 2, size: 16)
        let (total, split) = (6, 2)
        let straight = UNet(configuration: config, seed: 2)
        let straightAdam = Adam(parameters: straight.parameters, learningRate: 1e-2, weightDecay: 1e-4)
        var straightLosses: [Float] = []
        for _ in 0..<total { straightLosses.append(trainStep(straight, straightAdam, images, labels)) }

        let first = UNet(configuration: config, seed: 2)
        let firstAdam = Adam(parameters: first.parameters, learningRate: 1e-2, weightDecay: 1e-4)
        var resumedLosses: [Float] = []
        for _ in 0..<split { resumedLosses.append(trainStep(first, firstAdam, images, labels)) }
        let path = directory.appendingPathComponent("resume.h5").path
        try Checkpoint.save(to: path, model: first, optimiser: firstAdam, step: split)

        let second = UNet(configuration: config, seed: 2)
        // Hyperparameters are the caller's configuration; the learning rate comes from the file.
        let secondAdam = Adam(parameters: second.parameters, learningRate: 0.5, weightDecay: 1e-4)
        XCTAssertEqual(try Checkpoint.load(from: path, into: second, optimiser: secondAdam), split)
        XCTAssertEqual(secondAdam.stepCount, split)
        XCTAssertEqual(secondAdam.learningRate, 1e-2)
        for _ in split..<total { resumedLosses.append(trainStep(second, secondAdam, images, labels)) }

        XCTAssertEqual(resumedLosses, straightLosses)
        for (a, b) in zip(second.parameters, straight.parameters) { XCTAssertEqual(a.value, b.value, a.name) }
        for (a, b) in zip(second.buffers, straight.buffers) { XCTAssertEqual(a.value, b.value, a.name) }
        XCTAssertEqual(second.counters.map(\.value), straight.counters.map(\.value))
    }

    func testSGDStateAndSeveralModelsRoundTrip() throws {
        let a = UNet(configuration: config, seed: 3), b = UNet(configuration: config, seed: 4)
        let sgd = SGD(parameters: a.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        let (images, labels) = disks(batch: 2, size: 16)
        _ = trainStep(a, sgd, images, labels)
        let path = directory.appendingPathComponent("two.h5").path
        try Checkpoint.save(to: path, models: [("student", a), ("teacher", b)], optimisers: [("sgd", sgd)], step: 7)
        // The student keeps its seed (its dropout streams derive from it); the teacher's weights
        // must come from the file alone.
        let a2 = UNet(configuration: config, seed: 3), b2 = UNet(configuration: config, seed: 6)
        let sgd2 = SGD(parameters: a2.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        try Checkpoint.load(from: path, models: [("student", a2), ("teacher", b2)], optimisers: [("sgd", sgd2)])
        XCTAssertEqual(sgd2.state.map(\.value), sgd.state.map(\.value))
        XCTAssertEqual(b2.parameters.map(\.value), b.parameters.map(\.value))
        _ = trainStep(a, sgd, images, labels)
        _ = trainStep(a2, sgd2, images, labels)
        XCTAssertEqual(a2.parameters.map(\.value), a.parameters.map(\.value))
    }

    func testMismatchedArchitectureIsAClearErrorAndChangesNothing() throws {
        let net = UNet(configuration: config, seed: 7)
        let path = directory.appendingPathComponent("small.h5").path
        try Checkpoint.save(to: path, model: net, step: 0)
        let wider = UNet(configuration: UNetConfiguration(widths: [4, 8, 16], encoderDropout: [0, 0, 0]), seed: 8)
        let before = wider.parameters.map(\.value)
        XCTAssertThrowsError(try Checkpoint.load(from: path, into: wider)) { error in
            XCTAssertTrue("\(error)".contains("encoder.2.conv1.weight has shape [8, 8, 3, 3], expected [16, 8, 3, 3]"), "\(error)")
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertEqual(wider.parameters.map(\.value), before)
        let notCheckpoint = directory.appendingPathComponent("other.h5").path
        try HDF5File.writeAtomically(to: notCheckpoint) { try $0.setAttribute("format", "something else") }
        XCTAssertThrowsError(try Checkpoint.load(from: notCheckpoint, into: net)) { error in
            XCTAssertTrue("\(error)".contains("not a SparseSeg checkpoint"), "\(error)")
        }
    }
}
