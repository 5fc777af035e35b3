/// The settings of `sparseseg data synth`.
public struct PhantomSettings: Sendable, Equatable, Codable {
    /// Number of cases; case i is acquired at site i mod (number of sites).
    public var cases: Int
    /// The seed: the same settings give a bit-identical dataset.
    public var seed: UInt64
    /// In-plane size S of every slice (S x S pixels).
    public var inPlaneSize: Int
    /// The acquisition sites.
    public var sites: [PhantomSite]

    /// Settings for `cases` cases of S x S slices; the defaults are the quick preset's.
    public init(cases: Int = 50, seed: UInt64 = 1, inPlaneSize: Int = 96, sites: [PhantomSite] = PhantomSite.defaults) {
        self.cases = cases
        self.seed = seed
        self.inPlaneSize = inPlaneSize
        self.sites = sites
    }
}
