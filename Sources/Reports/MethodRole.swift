/// What kind of row a method makes in the table.
public enum MethodRole: String, Sendable {
    /// A semi-supervised or supervised baseline of Table 1.
    case baseline
    /// The paper's method, the reference of the Wilcoxon tests.
    case ours
    /// A variant of Ours that isolates one of its parts.
    case ablation
    /// An upper bound that reads labels no other method sees; not a competitor.
    case reference
    /// A method name the catalogue does not know.
    case other
}
