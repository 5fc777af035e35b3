import ArgumentParser
import Foundation
import Runner

/// The coordinator's key options.
struct CoordinatorKeyOptions: ParsableArguments {
    @Option(help: "Key directory with coordinator.key and authorized_keys (from `sparseseg keys generate`); turns CURVE on.")
    var keys: String?

    @Option(help: "The authorised-keys file (default: KEYS/authorized_keys).")
    var authorizedKeys: String?

    @Flag(help: "Allow plaintext on a non-loopback endpoint (anyone who can reach it can take and forge jobs).")
    var insecure = false

    func security(for endpoint: String) throws -> TransportSecurity {
        guard let keys else {
            if !Endpoint.isLoopback(endpoint) && !insecure {
                throw ValidationError("\(endpoint) is reachable from other machines: give --keys DIR (see `sparseseg keys generate`) or --insecure")
            }
            return .plaintext
        }
        let directory = URL(fileURLWithPath: keys)
        let pair = try KeyFiles.loadKeyPair(directory.appendingPathComponent("coordinator.key"))
        let authorized = try AuthorizedKeys.load(authorizedKeys.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent(KeyFiles.authorizedKeysName))
        return .curve(server: pair, authorized: authorized)
    }
}
