/// Facts about this build of the runner.
public enum RunnerInfo {
    /// The version workers report in their hello.
    public static let version = "0.1.0"
}
