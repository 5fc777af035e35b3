/// The acquisition protocol of one phantom site. Like PROMISE12's four centres, the sites
/// differ in field of view, slice thickness and count, contrast, noise, bias field and the
/// size of the glands they see; site B images with an endorectal coil (a balloon in the
/// rectum and a strong bright bias near it).
public struct PhantomSite: Sendable, Equatable, Codable {
    /// The site's name, stored as the cases' `site` attribute.
    public var name: String
    /// In-plane field of view in mm.
    public var fieldOfView: Double
    /// The acquisition matrix: pixels per row and column of the native grid, the one the
    /// reference masks are scored on; its spacing is the field of view over this (about 0.6 mm,
    /// as PROMISE12's), and the stored S x S grid is resampled from it as an import is.
    public var nativeMatrix: Int
    /// Slice thickness (= spacing) in mm.
    public var sliceThickness: Double
    /// The range of slice counts.
    public var slices: ClosedRange<Int>
    /// Rician noise level, relative to the brightest tissue.
    public var noise: Double
    /// Contrast curve: intensities are raised to this power.
    public var gamma: Double
    /// Mean intensity of the peripheral zone, the central gland and fat before the curve.
    public var peripheralZone: Double, centralGland: Double, fat: Double
    /// Multiplier of the gland's size.
    public var glandScale: Double
    /// Peak-to-peak strength of the smooth bias field (log scale).
    public var bias: Double
    /// Whether the site uses an endorectal coil.
    public var endorectalCoil: Bool

    /// The four default sites.
    public static let defaults: [PhantomSite] = [
        PhantomSite(name: "A", fieldOfView: 160, nativeMatrix: 256, sliceThickness: 3.6, slices: 20...26, noise: 0.025, gamma: 1.0,
                    peripheralZone: 0.62, centralGland: 0.38, fat: 0.78, glandScale: 1.0, bias: 0.25, endorectalCoil: false),
        PhantomSite(name: "B", fieldOfView: 140, nativeMatrix: 240, sliceThickness: 3.0, slices: 28...40, noise: 0.04, gamma: 0.85,
                    peripheralZone: 0.55, centralGland: 0.42, fat: 0.70, glandScale: 1.12, bias: 0.3, endorectalCoil: true),
        PhantomSite(name: "C", fieldOfView: 180, nativeMatrix: 288, sliceThickness: 4.0, slices: 15...20, noise: 0.035, gamma: 1.25,
                    peripheralZone: 0.68, centralGland: 0.35, fat: 0.85, glandScale: 0.9, bias: 0.45, endorectalCoil: false),
        PhantomSite(name: "D", fieldOfView: 150, nativeMatrix: 256, sliceThickness: 3.3, slices: 22...32, noise: 0.055, gamma: 1.0,
                    peripheralZone: 0.52, centralGland: 0.44, fat: 0.72, glandScale: 1.05, bias: 0.3, endorectalCoil: false),
    ]
}
