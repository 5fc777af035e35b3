import CZeroMQ

/// A CURVE keypair, both keys as 40-character Z85 text (ZeroMQ's printable key encoding).
public struct CurveKeyPair: Sendable, Hashable {
    /// The public key, safe to hand out.
    public let publicKey: String
    /// The secret key; keep it private.
    public let secretKey: String

    /// A keypair from its two Z85 keys; throws if either is not a 32-byte Z85 key or if the
    /// public key does not belong to the secret key.
    public init(publicKey: String, secretKey: String) throws {
        guard Z85.isKey(publicKey) else { throw ZeroMQError("CURVE public key is not 40 Z85 characters", code: EINVAL) }
        guard let derived = CurveKeyPair.publicKey(forSecret: secretKey) else {
            throw ZeroMQError("CURVE secret key is not 40 Z85 characters", code: EINVAL)
        }
        guard derived == publicKey else { throw ZeroMQError("CURVE public key does not match the secret key", code: EINVAL) }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    private init(unchecked publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh keypair from libzmq's random source.
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZeroMQError("zmq_curve_keypair") }
        return CurveKeyPair(unchecked: string(publicKey), secretKey: string(secretKey))
    }

    /// The public key belonging to a Z85 secret key, or nil if `secret` is not a key.
    public static func publicKey(forSecret secret: String) -> String? {
        guard Z85.isKey(secret) else { return nil }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else { return nil }
        return string(publicKey)
    }

    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// ZeroMQ's Z85 encoding (RFC 32): 4 bytes to 5 printable characters.
public enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4; nil otherwise.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 `text`, whose length must be a multiple of 5; nil if it is not Z85.
    public static func decode(_ text: String) -> [UInt8]? {
        let count = text.utf8.count
        guard count % 5 == 0, text.utf8.allSatisfy({ alphabet.contains($0) }) else { return nil }
        var bytes = [UInt8](repeating: 0, count: count * 4 / 5)
        guard zmq_z85_decode(&bytes, text) != nil else { return nil }
        return bytes
    }

    /// Whether `text` is a Z85-encoded 32-byte CURVE key.
    public static func isKey(_ text: String) -> Bool {
        text.utf8.count == 40 && decode(text) != nil
    }

    private static let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
}
