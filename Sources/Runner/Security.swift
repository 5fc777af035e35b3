import Foundation
import Jobs
import Logging
import ZeroMQ

/// How the coordinator's socket is protected.
public enum TransportSecurity: Sendable {
    /// No encryption or authentication; allowed on loopback only unless explicitly forced.
    case plaintext
    /// CURVE encryption; only workers whose public keys are authorised get in.
    case curve(server: CurveKeyPair, authorized: AuthorizedKeys)
}

/// How a worker or status client connects.
public enum ClientSecurity: Sendable {
    case plaintext
    /// CURVE with the client's own keys, trusting the server whose public key is `serverKey`.
    case curve(serverKey: String, keys: CurveKeyPair)
}

/// The public keys allowed to connect, with a name each (the "User-Id" of their messages).
public struct AuthorizedKeys: Sendable, Hashable {
    /// Name by Z85 public key.
    public var names: [String: String]

    /// Keys with their names.
    public init(names: [String: String]) { self.names = names }

    /// Reads an authorised-keys file: one key per line, "Z85KEY [name]"; blank lines and lines
    /// starting with '#' are skipped. Errors name the file and line.
    public static func load(_ url: URL) throws -> AuthorizedKeys {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw JobError("\(url.path): cannot read the authorised-keys file")
        }
        var names: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard Z85.isKey(fields[0]) else {
                throw JobError("\(url.path):\(index + 1): \"\(fields[0])\" is not a 40-character Z85 public key")
            }
            names[fields[0]] = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : "key-\(fields[0].prefix(8))"
        }
        return AuthorizedKeys(names: names)
    }
}

/// Key files: NAME.key holds a keypair ("public KEY" and "secret KEY" lines, mode 0600),
/// NAME.pub the public key alone, and `authorized_keys` the workers' public keys.
public enum KeyFiles {
    /// The file name of the coordinator's authorised-keys list inside a key directory.
    public static let authorizedKeysName = "authorized_keys"

    /// Generates a keypair for each of `names` in `directory` (created if needed) and adds
    /// every name except "coordinator" to the directory's authorised keys. Refuses to
    /// overwrite an existing key. Returns the paths written.
    public static func generate(in directory: URL, names: [String]) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        var authorized = ""
        for name in names {
            guard JobSpec.isValidName(name) else { throw JobError("key name \"\(name)\" must be letters, digits, . _ -") }
            let keyURL = directory.appendingPathComponent("\(name).key"), pubURL = directory.appendingPathComponent("\(name).pub")
            guard !FileManager.default.fileExists(atPath: keyURL.path) else {
                throw JobError("\(keyURL.path) exists; refusing to overwrite a key")
            }
            let pair = try CurveKeyPair.generate()
            try writeAtomically(Data("public \(pair.publicKey)\nsecret \(pair.secretKey)\n".utf8), to: keyURL)
            guard chmod(keyURL.path, 0o600) == 0 else { throw JobError("\(keyURL.path): chmod 600 failed") }
            try writeAtomically(Data("\(pair.publicKey)\n".utf8), to: pubURL)
            written += [keyURL, pubURL]
            if name != "coordinator" { authorized += "\(pair.publicKey) \(name)\n" }
        }
        if !authorized.isEmpty {
            let url = directory.appendingPathComponent(authorizedKeysName)
            let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? "# Public keys of the workers the coordinator admits: KEY NAME\n"
            try writeAtomically(Data((existing + authorized).utf8), to: url)
            written.append(url)
        }
        return written
    }

    /// Reads a keypair file (NAME.key).
    public static func loadKeyPair(_ url: URL) throws -> CurveKeyPair {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw JobError("\(url.path): cannot read the key file") }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let publicKey = fields["public"], let secretKey = fields["secret"] else {
            throw JobError("\(url.path): expected lines \"public KEY\" and \"secret KEY\"")
        }
        do { return try CurveKeyPair(publicKey: publicKey, secretKey: secretKey) } catch {
            throw JobError("\(url.path): \(error)")
        }
    }

    /// Reads a public key file (NAME.pub).
    public static func loadPublicKey(_ url: URL) throws -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw JobError("\(url.path): cannot read the public key file") }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Z85.isKey(key) else { throw JobError("\(url.path): not a 40-character Z85 public key") }
        return key
    }
}

/// Endpoint helpers.
public enum Endpoint {
    /// Whether binding `endpoint` exposes the socket to this machine only: tcp on 127.0.0.0/8,
    /// localhost or ::1, or an ipc/inproc endpoint.
    public static func isLoopback(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = String(endpoint.dropFirst(6))
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
            return host == "::1"
        }
        host = String(host.prefix { $0 != ":" })
        if host == "localhost" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

extension Socket {
    /// Applies a client's security settings before connecting.
    func apply(_ security: ClientSecurity) throws {
        if case .curve(let serverKey, let keys) = security {
            try makeCurveClient(serverKey: serverKey, keys: keys)
        }
    }
}

/// The coordinator's ZAP policy: CURVE peers whose keys are listed get in, everyone else is
/// refused and logged.
func authorizationPolicy(_ authorized: AuthorizedKeys, logger: Logger) -> @Sendable (ZAPRequest) -> ZAPDecision {
    { request in
        guard request.mechanism == "CURVE", let key = request.curvePublicKey else {
            logger.warning("refused \(request.mechanism) connection from \(request.address): CURVE required")
            return .deny(reason: "CURVE required")
        }
        guard let name = authorized.names[key] else {
            logger.warning("refused connection from \(request.address): public key \(key) is not authorised")
            return .deny(reason: "key not authorised")
        }
        logger.info("admitted \(name) from \(request.address)")
        return .allow(userID: name)
    }
}
