/// A method the report knows: its table label, role, figure colour and the paper's numbers.
public struct MethodInfo: Sendable {
    /// The name used in run directories, for example `dct-seg`.
    public let name: String
    /// The label in tables, for example `DCT-Seg`.
    public let label: String
    /// A short upper-case label for the figure's bitmap font.
    public let figureLabel: String
    /// Baseline, Ours, ablation, reference or other.
    public let role: MethodRole
    /// What the method may read beyond central-slice labels, printed with reference rows.
    public let capability: String?
    /// The figure colour (RGB).
    public let colour: (UInt8, UInt8, UInt8)
    /// The paper's Table 1 row, for the six methods it reports.
    public let paper: PaperRow?
}
