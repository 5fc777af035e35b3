import ArgumentParser
import CCPU
import Foundation
import Pipeline
import Runner
import TrainingCore

/// The `sparseseg` command: one entry point for every job of the project. Each subcommand lives
/// in its own file beside this one and only parses arguments and prints; the work is done by
/// the library modules. An executable runs it with ``main(executors:)``: the shipped
/// `sparseseg` with ``productionExecutors``, the tests' `sparseseg-testing` with the runner's
/// test jobs besides.
public struct SparseSeg: AsyncParsableCommand {
    /// The project's version, also sent by workers in their hello message.
    static let version = "0.1.0"

    /// The job executors of the shipped `sparseseg`: the methods' training jobs and the
    /// runner benchmark's `bench.noop`. Test jobs are not among them, so that no coordinator
    /// can make a production worker kill itself (`test.crash`).
    public static let productionExecutors: [any JobExecutor] = [TrainingJobExecutor(), BenchmarkJobExecutor()]

    public static let configuration = CommandConfiguration(
        commandName: "sparseseg",
        abstract: "Reproduce and compare sparse-annotation semi-supervised segmentation methods across machines.",
        discussion: """
            A coordinator hands cross-validation jobs (fold x method) to workers over ZeroMQ; each \
            worker trains on central-slice labels only and returns per-case Dice, IoU, ASSD and RAVD.
            """,
        version: version,
        subcommands: [
            Info.self,
            Bench.self,
            ReportCommand.self,
            CompareCommand.self,
            DataCommand.self,
            CoordinatorCommand.self,
            WorkerCommand.self,
            RunCommand.self,
            StatusCommand.self,
            KeysCommand.self,
            Train.self,
            MethodsCommand.self,
            Evaluate.self,
        ]
    )

    public init() {}

    /// Refuses a CPU the training core was not built for and a mistyped subcommand (with a
    /// suggestion), sets the allocator's policy for tensors (``HeapPolicy``) before any other
    /// thread allocates, then parses the command line and runs the command; `sparseseg worker`
    /// runs jobs with the first of `executors` that handles each job's method.
    public static func main(executors: [any JobExecutor]) async {
        // Checked before any TrainingCore code runs: it is built for AVX2 and FMA on x86-64
        // (Package.swift) and would otherwise die of an illegal instruction mid-job.
        guard sparseseg_cpu_runs_training_core() != 0 else {
            FileHandle.standardError.write(Data("sparseseg: this CPU lacks AVX2 or FMA, which the training core is built for (x86-64 CPUs since 2013-2015)\n".utf8))
            Foundation.exit(1)
        }
        if let error = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst()), root: SparseSeg.self) {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        HeapPolicy.keepFreedMemoryResident()
        await WorkerCommand.$executors.withValue(executors) { await main(nil) }
    }
}
