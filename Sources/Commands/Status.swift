import ArgumentParser
import Foundation
import Runner

/// `sparseseg status RUN_DIR` or `sparseseg status --connect ENDPOINT`: a running
/// coordinator's jobs and workers.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a running coordinator's queued, running (with progress), done and failed jobs.",
        discussion: """
            Give the run directory (its coordinator records where it listens in RUN_DIR/endpoint while \
            it runs) or the coordinator's endpoint.
            """)

    @Argument(help: "The run directory of a running coordinator (`sparseseg run` or `sparseseg coordinator`).")
    var runDirectory: String?

    @Option(help: "The coordinator's endpoint, for example tcp://head-node:5555.")
    var connect: String?

    @OptionGroup var keys: ClientKeyOptions

    @Option(help: "Seconds to wait for an answer.")
    var timeout = 5

    @Flag(help: "Print the status as JSON.")
    var json = false

    func validate() throws {
        guard (runDirectory == nil) != (connect == nil) else {
            throw ValidationError(runDirectory == nil ? "give a run directory or --connect ENDPOINT" : "--connect and a run directory exclude each other; give one")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, given \(timeout)") }
    }

    func run() throws {
        let endpoint = try connect ?? recordedEndpoint()
        let status: RunStatus
        do {
            status = try StatusClient.query(endpoint, security: try keys.security(), timeout: .seconds(timeout))
        } catch let error as JobError where runDirectory != nil {
            // The file outlives a coordinator killed with SIGKILL: say where the endpoint came from.
            throw JobError("\(error) (the endpoint is from \(endpointFile.path); a coordinator that was killed leaves it behind)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print(StatusText.summary(status))
        for job in status.jobs { print(StatusText.line(job)) }
        for worker in status.workers { print("worker \(worker.name) (\(worker.threads) threads): \(worker.job ?? "idle")") }
    }

    private var endpointFile: URL {
        URL(fileURLWithPath: runDirectory ?? ".").appendingPathComponent(Coordinator.endpointFileName)
    }

    /// The endpoint the run directory's coordinator recorded.
    private func recordedEndpoint() throws -> String {
        let directory = URL(fileURLWithPath: runDirectory ?? ".")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw JobError("\(directory.path): no such run directory")
        }
        guard let endpoint = Coordinator.recordedEndpoint(in: directory) else {
            throw JobError("\(directory.path): no coordinator is running on this run directory (it has no \(Coordinator.endpointFileName) file); start one with `sparseseg run` or `sparseseg coordinator`")
        }
        return endpoint
    }
}
