import Foundation

/// Mean and sample standard deviation of the defined values of a column, with the count of
/// undefined ones (so that nothing is dropped silently).
public struct ColumnSummary: Sendable, Equatable {
    /// Number of defined values.
    public let count: Int
    /// Number of undefined values (for example ASSD of an empty prediction).
    public let undefined: Int
    /// Mean of the defined values; nil when there are none.
    public let mean: Double?
    /// Sample standard deviation (divisor n - 1); nil when fewer than two values are defined.
    public let sd: Double?

    /// Summarises `values`, where nil marks an undefined value.
    public init(_ values: [Double?]) {
        let defined = values.compactMap { $0 }
        count = defined.count
        undefined = values.count - defined.count
        guard !defined.isEmpty else {
            mean = nil
            sd = nil
            return
        }
        let m = defined.reduce(0, +) / Double(defined.count)
        mean = m
        if defined.count > 1 {
            // Two passes: the centred sum of squares is accurate where sum(x^2) - n m^2 is not.
            let squares = defined.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            sd = (squares / Double(defined.count - 1)).squareRoot()
        } else {
            sd = nil
        }
    }

    private init(count: Int, undefined: Int, mean: Double?, sd: Double?) {
        self.count = count
        self.undefined = undefined
        self.mean = mean
        self.sd = sd
    }

    /// The same mean and SD with `undefined` as the undefined count: a column of cases pooled
    /// over seeds counts the undefined values of its case-seed rows.
    func replacingUndefined(_ undefined: Int) -> ColumnSummary {
        ColumnSummary(count: count, undefined: undefined, mean: mean, sd: sd)
    }
}

/// The paired Wilcoxon signed-rank test, two-sided.
///
/// Zeros follow Wilcoxon's original rule (scipy's `zero_method="wilcox"`): pairs with a zero
/// difference are dropped before ranking. With n the number of non-zero differences, the
/// p-value comes from the exact null distribution of the positive rank sum when n <= 50 and no
/// two |differences| tie (scipy's `method="exact"`); otherwise from the normal approximation
/// with the tie-corrected variance and a continuity correction of 0.5 (scipy's
/// `method="asymptotic", correction=True`). The threshold 50 is scipy's own for `auto`.
public struct WilcoxonResult: Sendable, Equatable {
    /// How the p-value was computed.
    public enum Method: String, Sendable {
        case exact
        case normal
    }

    /// Number of pairs given.
    public let pairs: Int
    /// Number of non-zero differences (the n of the test).
    public let nonZero: Int
    /// Sum of the ranks of the positive differences.
    public let rankSumPositive: Double
    /// Sum of the ranks of the negative differences.
    public let rankSumNegative: Double
    /// Two-sided p-value; nil when every difference is zero (the test is undefined).
    public let pValue: Double?
    /// Exact distribution or normal approximation.
    public let method: Method

    /// The largest n for which the exact distribution is used.
    public static let exactLimit = 50

    /// Tests whether the differences `x[i] - y[i]` are symmetric about zero.
    public static func test(_ x: [Double], _ y: [Double]) -> WilcoxonResult {
        precondition(x.count == y.count, "paired samples must have equal length")
        return test(differences: zip(x, y).map { $0 - $1 })
    }

    /// Tests whether `differences` are symmetric about zero.
    public static func test(differences: [Double]) -> WilcoxonResult {
        let d = differences.filter { $0 != 0 }
        let n = d.count
        let order = d.indices.sorted { abs(d[$0]) < abs(d[$1]) }
        var ranks = [Double](repeating: 0, count: n)
        var tieTerm = 0.0  // sum of t^3 - t over groups of tied |d|
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && abs(d[order[end + 1]]) == abs(d[order[start]]) { end += 1 }
            let averageRank = Double(start + end + 2) / 2  // ranks are 1-based
            for k in start...end { ranks[order[k]] = averageRank }
            let t = Double(end - start + 1)
            tieTerm += t * t * t - t
            start = end + 1
        }
        var plus = 0.0, minus = 0.0
        for i in 0..<n {
            if d[i] > 0 { plus += ranks[i] } else { minus += ranks[i] }
        }
        let hasTies = tieTerm > 0
        guard n > 0 else {
            return WilcoxonResult(pairs: differences.count, nonZero: 0, rankSumPositive: 0, rankSumNegative: 0, pValue: nil, method: .exact)
        }
        if n <= exactLimit && !hasTies {
            return WilcoxonResult(pairs: differences.count, nonZero: n, rankSumPositive: plus, rankSumNegative: minus,
                                  pValue: exactTwoSided(n: n, rankSum: Int(plus.rounded())), method: .exact)
        }
        let nn = Double(n)
        let mean = nn * (nn + 1) / 4
        let sd = ((nn * (nn + 1) * (2 * nn + 1) - tieTerm / 2) / 24).squareRoot()
        var z = (plus - mean) / sd
        if z != 0 { z -= (z > 0 ? 0.5 : -0.5) / sd }
        let p = min(1, erfc(abs(z) / 2.squareRoot()))
        return WilcoxonResult(pairs: differences.count, nonZero: n, rankSumPositive: plus, rankSumNegative: minus, pValue: p, method: .normal)
    }

    /// 2 min(P(T <= t), P(T >= t)) for T the positive rank sum of n untied non-zero differences
    /// under the null, by counting the subsets of {1..n} with each sum.
    static func exactTwoSided(n: Int, rankSum t: Int) -> Double {
        let maxSum = n * (n + 1) / 2
        // counts[s] = number of subsets of {1..k} summing to s; doubles hold 2^50 exactly.
        var counts = [Double](repeating: 0, count: maxSum + 1)
        counts[0] = 1
        for k in 1...n {
            for s in stride(from: k * (k + 1) / 2, through: k, by: -1) { counts[s] += counts[s - k] }
        }
        let total = pow(2, Double(n))
        let lower = counts[0...t].reduce(0, +) / total
        let upper = counts[t...maxSum].reduce(0, +) / total
        return min(1, 2 * min(lower, upper))
    }
}
