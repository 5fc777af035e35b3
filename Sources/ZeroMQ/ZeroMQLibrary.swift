import CZeroMQ

/// The linked libzmq as a whole.
public enum ZeroMQLibrary {
    /// The linked library's version, for example (4, 3, 4).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether the library was built with `capability`, for example "curve".
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
