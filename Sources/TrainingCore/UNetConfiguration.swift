/// The widths and dropout of the U-Net of docs/methods.md (SSL4MIS's UNet). The defaults are
/// docs/methods.md's; tests and quick experiments use narrower nets.
public struct UNetConfiguration: Sendable, Equatable {
    /// Image channels (1 for MR slices).
    public var inputChannels = 1
    /// Output classes K (2: background, prostate).
    public var classes = 2
    /// Channels of the five levels, full resolution first.
    public var widths = [16, 32, 64, 128, 256]
    /// Dropout probability of each encoder level (the decoder has none).
    public var encoderDropout: [Float] = [0.05, 0.1, 0.2, 0.3, 0.5]
    /// Negative slope of the LeakyReLUs.
    public var negativeSlope: Float = 0.01

    /// A configuration; the defaults are docs/methods.md's.
    public init(inputChannels: Int = 1, classes: Int = 2, widths: [Int] = [16, 32, 64, 128, 256],
                encoderDropout: [Float] = [0.05, 0.1, 0.2, 0.3, 0.5], negativeSlope: Float = 0.01) {
        precondition(widths.count == encoderDropout.count && widths.count >= 2, "UNetConfiguration: one dropout per level, two levels at least")
        self.inputChannels = inputChannels
        self.classes = classes
        self.widths = widths
        self.encoderDropout = encoderDropout
        self.negativeSlope = negativeSlope
    }
}
