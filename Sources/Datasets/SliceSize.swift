/// The size of a 2D slice: `ny` rows of `nx` columns, row-major.
public struct SliceSize: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Rows.
    public var ny: Int
    /// Columns.
    public var nx: Int

    /// A slice of `ny` rows and `nx` columns.
    public init(ny: Int, nx: Int) {
        self.ny = ny
        self.nx = nx
    }

    /// A square S x S slice.
    public init(square side: Int) { self.init(ny: side, nx: side) }

    /// Pixels per slice.
    public var count: Int { ny * nx }

    /// "ny x nx".
    public var description: String { "\(ny) x \(nx)" }
}
