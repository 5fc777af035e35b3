/// What made some metrics of a case undefined. Encoded in JSON as an array of names
/// (`"empty_prediction"`, `"empty_reference"`), empty for an ordinary case, so that reports can
/// count such cases instead of averaging a made-up number.
public struct CaseFlags: OptionSet, Sendable, Hashable, Codable, CustomStringConvertible {
    /// One bit per flag.
    public let rawValue: UInt8

    /// Flags from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The prediction has no foreground voxel: no surface, so ASSD and HD95 are undefined.
    public static let emptyPrediction = CaseFlags(rawValue: 1 << 0)
    /// The reference has no foreground voxel: no surface and no volume to compare against, so
    /// ASSD, HD95 and RAVD are undefined.
    public static let emptyReference = CaseFlags(rawValue: 1 << 1)

    private static let names: [(CaseFlags, String)] = [
        (.emptyPrediction, "empty_prediction"), (.emptyReference, "empty_reference"),
    ]

    /// The names of the flags that are set, in a fixed order.
    public var names: [String] { Self.names.filter { contains($0.0) }.map(\.1) }

    /// The names joined by commas, or `ok` when no flag is set.
    public var description: String { names.isEmpty ? "ok" : names.joined(separator: ",") }

    /// Decodes an array of flag names; an unknown name is an error.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var flags = CaseFlags()
        while !container.isAtEnd {
            let name = try container.decode(String.self)
            guard let flag = Self.names.first(where: { $0.1 == name })?.0 else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "unknown case flag \"\(name)\"")
            }
            flags.insert(flag)
        }
        self = flags
    }

    /// Encodes the names of the flags that are set, as an array.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for name in names { try container.encode(name) }
    }
}
