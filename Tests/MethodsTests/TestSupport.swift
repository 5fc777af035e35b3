import Jobs
import Datasets
import Experiments
import Foundation
@testable import Methods
import SeededRandom
import TrainingCore

/// A tiny phantom shared by the tests: 10 volumes of 32x32 slices, 5 folds.
enum Tiny {
    /// The seed of the tiny experiments (`seed: 7`).
    static let seed = 7
    static let cases = Phantom.generate(PhantomSettings(cases: 10, seed: 3, inPlaneSize: 32))
    static let dataset = Dataset(cases: cases, source: "phantom")
    static let split = try! dataset.folds(k: 5, seed: 0)

    /// How long the tiny jobs train: enough to learn something (60 steps), longer (320 steps:
    /// on the phantom's 32 x 32 slices the teacher-student methods, whose batch statistics mix
    /// labelled and unlabelled slices, still over-segment after 60; after 160, MT's or UA-MT's
    /// test cross-entropy still landed above the untrained net's (0.68 or 0.72 against 0.66)
    /// depending on how the host's OpenBLAS rounds, while after 240 and 320 all three were
    /// at 0.12-0.52), or two steps.
    enum Budget {
        case learn, learnLonger, twoSteps
    }

    /// Settings that make every method take a few steps of a narrow U-Net, holding out
    /// `validationCases` training cases.
    static func training(_ budget: Budget, validationCases: Int = 0) -> String {
        """
        training:
          validation_cases: \(validationCases)
          epochs: \(budget == .twoSteps ? 1 : budget == .learn ? 3 : 16)
          steps_per_epoch: \(budget == .twoSteps ? 2 : 20)
          batch_size: 4
          learning_rate: 0.002
          augment: false
          channels: [4, 8, 16, 32]
          encoder_dropout: [0.05, 0.1, 0.2, 0.3]
        """
    }

    /// Ours' settings for the same budget: short stages, a narrow registration network.
    static let ours = "{semi_warmup_epochs: 1, semi_self_epochs: 1, registration_epochs: 1, registration_batch_size: 32, registration_encoder: [4, 8, 8, 8], registration_decoder: [8, 8, 8, 8], registration_extra: [8, 8]}"

    /// The method's entry in an experiment's list, with the tiny settings it needs.
    static func entry(_ method: String, budget: Budget) -> String {
        switch method {
        case "ours", "ours-semi-only", "ours-ssl-only", "ours-union": "  - \(method): \(ours)"
        case "ua-mt": "  - ua-mt: {uncertainty_passes: 2}"
        default: "  - \(method)"
        }
    }

    /// An experiment over the tiny phantom with `methods`, fold 0 only.
    static func experiment(_ methods: [String], registry: MethodRegistry = .standard, budget: Budget = .learn,
                           validationCases: Int = 0) throws -> Experiment {
        let yaml = """
            name: tiny
            seed: 7
            folds: 5
            run_folds: [0]
            \(training(budget, validationCases: validationCases))
            methods:
            \(methods.map { entry($0, budget: budget) }.joined(separator: "\n"))
            """
        return try Experiment.parse(yaml: yaml, file: "tiny.yaml", catalog: registry)
    }

    /// The job of `method` on fold 0 of the tiny experiment.
    static func job(_ method: String, registry: MethodRegistry = .standard, budget: Budget = .learn, validationCases: Int = 0) throws -> JobSpec {
        try RunSetup.job(try experiment([method], registry: registry, budget: budget, validationCases: validationCases), method: method, fold: 0,
                         registry: registry)
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ name: String = #function) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("methods-tests-\(getpid())-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Trains `method` in-process (as the job runner does) and returns what it produced.
    static func train(_ method: String, dataset: Dataset = dataset, directory: URL, budget: Budget = .learn,
                      progress: @escaping (TrainingProgress) -> Void = { _ in }) throws -> TrainedMethod {
        let job = try job(method, budget: budget)
        let registration = MethodRegistry.standard.registration(method)!
        let training = try TrainingSettings(try TrainingSettings.schema.resolve(json: job.settings["training"], path: "training", file: "test"))
        let random = SeededGenerator(seed: UInt64(job.seed)).derived("fold", 0)
        let session = try TrainingSession(directory: directory, checkpointEvery: 1, random: random.derived("session"),
                                          progress: progress, shouldStop: { false })
        let context = MethodContext(
            method: method, view: try dataset.trainingView(fold: 0, of: split), training: training,
            settings: try registration.schema.resolve(json: job.settings["method"], path: "method", file: "test"), random: random,
            session: session, allMasks: registration.labelAccess == .allTrainingMasks ? try dataset.hiddenLabels(fold: 0, of: split) : nil)
        return try registration.make().train(context)
    }

    /// Mean pixel cross-entropy of foreground probabilities against the stored masks of
    /// fold 0's test volumes: lower is better.
    static func testCrossEntropy(_ predictor: any SlicePredictor) throws -> Double {
        var total = 0.0, count = 0
        for test in try dataset.testCases(fold: 0, of: split) {
            let size = SliceSize(ny: test.storedReference.shape.ny, nx: test.storedReference.shape.nx)
            let probabilities = predictor.foregroundProbabilities(test.images, size: size)
            for (slice, truth) in zip(probabilities, test.storedReference.slices) {
                for (p, t) in zip(slice, truth) {
                    let q = Double(t != 0 ? p : 1 - p)
                    total -= log(max(q, 1e-7))
                    count += 1
                }
            }
        }
        return total / Double(count)
    }
}
