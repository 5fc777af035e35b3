/// Percentiles with numpy's default ("linear") method, the one medpy's HD95 calls.
public enum Percentile {
    /// The `q`-th percentile (0...100) of `values`, interpolating linearly between the two order
    /// statistics around the fractional rank `(n - 1) * q / 100`, as `numpy.percentile` does by
    /// default. Runs in expected linear time by selection instead of a full sort.
    ///
    /// - Precondition: `values` is not empty, holds no NaN, and `q` is in 0...100.
    public static func linear(_ values: [Double], _ q: Double) -> Double {
        precondition(!values.isEmpty, "percentile of no values")
        precondition((0...100).contains(q), "percentile \(q) outside 0...100")
        var work = values
        let rank = (Double(values.count - 1) * (q / 100))
        let below = Int(rank.rounded(.down))
        let gamma = rank - Double(below)
        return work.withUnsafeMutableBufferPointer { a in
            let lower = select(a, below)
            guard below + 1 < a.count else { return lower }
            // After selection everything right of `below` is >= the order statistic, so the
            // next one is their minimum.
            let upper = a[(below + 1)...].min()!
            // numpy's _lerp: from the nearer end, so that gamma 0 and 1 reproduce the ends.
            let difference = upper - lower
            return gamma >= 0.5 ? upper - difference * (1 - gamma) : lower + difference * gamma
        }
    }

    /// Rearranges `a` so that `a[k]` is its k-th smallest value, smaller-or-equal values left of
    /// it and greater-or-equal right of it (Hoare's selection with a three-way partition, which
    /// keeps the many equal distances of a voxel grid from degrading it).
    static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var low = 0, high = a.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            let pivot = median(a[low], a[mid], a[high])
            var lt = low, i = low, gt = high
            while i <= gt {
                let value = a[i]
                if value < pivot {
                    a.swapAt(lt, i)
                    lt += 1
                    i += 1
                } else if value > pivot {
                    a.swapAt(i, gt)
                    gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt {
                high = lt - 1
            } else if k > gt {
                low = gt + 1
            } else {
                return pivot
            }
        }
        return a[k]
    }

    private static func median(_ a: Double, _ b: Double, _ c: Double) -> Double {
        max(min(a, b), min(max(a, b), c))
    }
}
