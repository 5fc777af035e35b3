/// The widths of the registration network of docs/methods.md (a 2D voxelmorph U-Net). Defaults are
/// docs/methods.md's.
public struct RegistrationConfiguration: Sendable, Equatable {
    /// One Conv3x3 + LeakyReLU per encoder level, each followed by MaxPool2.
    public var encoder = [16, 32, 32, 32]
    /// One Conv3x3 + LeakyReLU per decoder level, each followed by nearest x2 and a skip concat.
    public var decoder = [32, 32, 32, 32]
    /// Further Conv3x3 + LeakyReLU at full resolution.
    public var extra = [32, 16, 16]
    /// Negative slope of the LeakyReLUs.
    public var negativeSlope: Float = 0.2
    /// Standard deviation of the flow head's initial weights (its bias starts at 0).
    public var flowInitStd: Float = 1e-5

    /// A configuration; the defaults are docs/methods.md's.
    public init(encoder: [Int] = [16, 32, 32, 32], decoder: [Int] = [32, 32, 32, 32], extra: [Int] = [32, 16, 16],
                negativeSlope: Float = 0.2, flowInitStd: Float = 1e-5) {
        precondition(encoder.count == decoder.count && !extra.isEmpty, "RegistrationConfiguration: one decoder level per encoder level")
        self.encoder = encoder
        self.decoder = decoder
        self.extra = extra
        self.negativeSlope = negativeSlope
        self.flowInitStd = flowInitStd
    }
}
