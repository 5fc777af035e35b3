import ArgumentParser
import Foundation
import Runner

/// `sparseseg keys generate DIR`: CURVE keypairs for a coordinator and its workers.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage CURVE keys.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write CURVE keypairs (Z85) and the coordinator's authorised-keys file.",
            discussion: """
                Writes NAME.key (secret, mode 600) and NAME.pub for each name, and adds every name but \
                "coordinator" to DIR/authorized_keys. Copy coordinator.pub and a worker's .key to each worker \
                machine; keep coordinator.key on the coordinator only.
                """)

        @Argument(help: "The key directory.")
        var directory: String

        @Option(help: "Keypair names (repeatable).")
        var name: [String] = ["coordinator", "worker"]

        func run() throws {
            for url in try KeyFiles.generate(in: URL(fileURLWithPath: directory), names: name) { print("wrote \(url.path)") }
        }
    }
}
