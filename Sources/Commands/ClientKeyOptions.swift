import ArgumentParser
import Foundation
import Runner

/// Key options of the worker and the status client.
struct ClientKeyOptions: ParsableArguments {
    @Option(help: "Key directory with this client's KEY-NAME.key and the coordinator's coordinator.pub; turns CURVE on.")
    var keys: String?

    @Option(help: "Which keypair of the key directory to use.")
    var keyName = "worker"

    func security() throws -> ClientSecurity {
        guard let keys else { return .plaintext }
        let directory = URL(fileURLWithPath: keys)
        return .curve(serverKey: try KeyFiles.loadPublicKey(directory.appendingPathComponent("coordinator.pub")),
                      keys: try KeyFiles.loadKeyPair(directory.appendingPathComponent("\(keyName).key")))
    }
}
