import ArgumentParser
import Foundation
import Runner

/// `sparseseg status --connect ENDPOINT`: a running coordinator's jobs and workers.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a running coordinator's queued, running (with progress), done and failed jobs.")

    @Option(help: "The coordinator's endpoint.")
    var connect: String

    @OptionGroup var keys: ClientKeyOptions

    @Option(help: "Seconds to wait for an answer.")
    var timeout = 5

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() throws {
        let status = try StatusClient.query(connect, security: try keys.security(), timeout: .seconds(timeout))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print(StatusText.summary(status))
        for job in status.jobs { print(StatusText.line(job)) }
        for worker in status.workers { print("worker \(worker.name) (\(worker.threads) threads): \(worker.job ?? "idle")") }
    }
}
