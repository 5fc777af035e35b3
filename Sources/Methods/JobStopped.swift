/// The job was asked to stop (``JobRunner``'s `shouldStop`); its last checkpoint stands and
/// running it again resumes from there.
public struct JobStopped: Error, CustomStringConvertible {
    public let phase: String
    public let epochsDone: Int
    public var description: String { "stopped after epoch \(epochsDone) of phase \(phase); run again to resume" }
}
