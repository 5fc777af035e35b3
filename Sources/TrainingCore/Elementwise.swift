/// Channel concatenation and elementwise arithmetic with their backwards. Shapes: any, the
/// operands of a binary op equal; concat is over dimension 1 of `[B, C, H, W]`.
public enum Ops {
    /// `[B, C1, H, W], [B, C2, H, W], ... -> [B, C1 + C2 + ..., H, W]`.
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        let first = parts[0]
        for part in parts {
            precondition(part.shape.count == 4 && part.batch == first.batch && part.height == first.height && part.width == first.width,
                         "concatChannels: \(part.shape) does not fit \(first.shape)")
        }
        let plane = first.height * first.width
        let total = parts.reduce(0) { $0 + $1.channels }
        return Tensor(shape: [first.batch, total, first.height, first.width]) { out in
            var offset = 0
            for b in 0..<first.batch {
                for part in parts {
                    let size = part.channels * plane
                    part.scalars.withUnsafeBufferPointer { source in
                        (out.baseAddress! + offset).update(from: source.baseAddress! + b * size, count: size)
                    }
                    offset += size
                }
            }
        }
    }

    /// The backward of ``concatChannels(_:)``: splits `dy [B, sum C_i, H, W]` into
    /// `[B, C_i, H, W]` pieces.
    public static func splitChannels(_ dy: Tensor, _ channels: [Int]) -> [Tensor] {
        precondition(channels.reduce(0, +) == dy.channels, "splitChannels: \(channels) do not add up to \(dy.shape)")
        let plane = dy.height * dy.width
        var offset = 0
        return channels.map { c in
            var out = [Float]()
            out.reserveCapacity(dy.batch * c * plane)
            for b in 0..<dy.batch {
                let start = (b * dy.channels + offset) * plane
                out += dy.scalars[start..<start + c * plane]
            }
            offset += c
            return Tensor(shape: [dy.batch, c, dy.height, dy.width], scalars: out)
        }
    }

    /// a + b (backward: da = db = dy).
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        zip(a, b) { $0 + $1 }
    }

    /// a - b (backward: da = dy, db = -dy).
    public static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor {
        zip(a, b) { $0 - $1 }
    }

    /// a * b elementwise.
    public static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        zip(a, b) { $0 * $1 }
    }

    /// The backward of ``multiply(_:_:)``: (da, db) = (dy * b, dy * a).
    public static func multiplyBackward(_ dy: Tensor, _ a: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
        (multiply(dy, b), multiply(dy, a))
    }

    /// s * a (backward: da = s * dy).
    public static func scale(_ a: Tensor, by s: Float) -> Tensor {
        map(a) { $0 * s }
    }

    /// min(max(a, low), high).
    public static func clamp(_ a: Tensor, _ low: Float, _ high: Float) -> Tensor {
        map(a) { min(max($0, low), high) }
    }

    /// The backward of ``clamp(_:_:_:)``: dy where low < a < high, else 0.
    public static func clampBackward(_ dy: Tensor, _ a: Tensor, _ low: Float, _ high: Float) -> Tensor {
        zip(dy, a) { $1 > low && $1 < high ? $0 : 0 }
    }

    /// The sign of each element (-1, 0 or 1), for adversarial steps.
    public static func sign(_ a: Tensor) -> Tensor {
        map(a) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    }

    /// The sum of all elements, accumulated in Double (backward: da = dy everywhere).
    public static func sum(_ a: Tensor) -> Float {
        Float(a.scalars.reduce(0.0) { $0 + Double($1) })
    }

    /// The mean of all elements (backward: da = dy / count everywhere).
    public static func mean(_ a: Tensor) -> Float {
        sum(a) / Float(a.count)
    }

    /// `[B, C, H, W] -> [B, 1, H, W]`: the mean over channels (backward: dy / C to each channel).
    public static func meanChannels(_ a: Tensor) -> Tensor {
        let (c, plane) = (a.channels, a.height * a.width)
        var out = Tensor(shape: [a.batch, 1, a.height, a.width])
        for b in 0..<a.batch {
            for k in 0..<c {
                for i in 0..<plane { out.scalars[b * plane + i] += a.scalars[(b * c + k) * plane + i] / Float(c) }
            }
        }
        return out
    }

    /// f applied to each element (blocks of a large tensor on several threads).
    public static func map(_ a: Tensor, _ f: @escaping (Float) -> Float) -> Tensor {
        Tensor(shape: a.shape) { out in
            a.scalars.withUnsafeBufferPointer { p in
                let (op, pp) = (out.baseAddress!, p.baseAddress!)
                forEachBlock(p.count) { range in
                    for i in range { op[i] = f(pp[i]) }
                }
            }
        }
    }

    /// f applied to each pair of elements of two tensors of equal shape (blocks of large
    /// tensors on several threads).
    public static func zip(_ a: Tensor, _ b: Tensor, _ f: @escaping (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "elementwise op: shapes \(a.shape) and \(b.shape) differ")
        return Tensor(shape: a.shape) { out in
            a.scalars.withUnsafeBufferPointer { p in
                b.scalars.withUnsafeBufferPointer { q in
                    let (op, pp, qp) = (out.baseAddress!, p.baseAddress!, q.baseAddress!)
                    forEachBlock(p.count) { range in
                        for i in range { op[i] = f(pp[i], qp[i]) }
                    }
                }
            }
        }
    }
}
