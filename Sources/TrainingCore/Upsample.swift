/// x2 upsampling, bilinear with aligned corners (the U-Net decoder) or nearest (the
/// registration net's decoder). Stateless: backward needs only the gradient. Planes are
/// independent tasks, spread over BLAS.threads threads.
public enum Upsample {
    /// Source coordinate of each output row (or column) for align_corners bilinear x2:
    /// s = o * (n - 1) / (2n - 1); returns the lower neighbour, the upper neighbour and the
    /// weight of the upper one.
    private static func bilinearTaps(_ n: Int) -> [(Int, Int, Float)] {
        (0..<2 * n).map { o in
            guard n > 1 else { return (0, 0, 0) }
            let s = Float(o) * Float(n - 1) / Float(2 * n - 1)
            let low = min(Int(s), n - 1)
            return (low, min(low + 1, n - 1), s - Float(low))
        }
    }

    /// `x [B, C, H, W] -> [B, C, 2H, 2W]`, bilinear, align_corners = true:
    /// y(oy, ox) = sum over the 2x2 source neighbours of (1-wy or wy)(1-wx or wx) x(sy, sx).
    public static func bilinear(_ x: Tensor) -> Tensor {
        let (planes, h, w) = (x.batch * x.channels, x.height, x.width)
        let rows = bilinearTaps(h), cols = bilinearTaps(w)
        return Tensor(shape: [x.batch, x.channels, 2 * h, 2 * w]) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                let (xp, yp) = (xs.baseAddress!, ys.baseAddress!)
                parallelFor(planes) { p in
                    let src = p * h * w, dst = p * 4 * h * w
                    for (oy, (y0, y1, wy)) in rows.enumerated() {
                        for (ox, (x0, x1, wx)) in cols.enumerated() {
                            let top = (1 - wx) * xp[src + y0 * w + x0] + wx * xp[src + y0 * w + x1]
                            let bottom = (1 - wx) * xp[src + y1 * w + x0] + wx * xp[src + y1 * w + x1]
                            yp[dst + oy * 2 * w + ox] = (1 - wy) * top + wy * bottom
                        }
                    }
                }
            }
        }
    }

    /// `dy [B, C, 2H, 2W] -> dx [B, C, H, W]`: the adjoint of ``bilinear(_:)``.
    public static func bilinearBackward(_ dy: Tensor) -> Tensor {
        precondition(dy.height % 2 == 0 && dy.width % 2 == 0, "Upsample.bilinearBackward: odd gradient \(dy.shape)")
        let (planes, h, w) = (dy.batch * dy.channels, dy.height / 2, dy.width / 2)
        let rows = bilinearTaps(h), cols = bilinearTaps(w)
        return Tensor(shape: [dy.batch, dy.channels, h, w], repeating: 0).updatingScalars { dxp in
            dy.scalars.withUnsafeBufferPointer { dys in
                let dyp = dys.baseAddress!
                parallelFor(planes) { p in
                    let src = p * 4 * h * w, dst = p * h * w
                    for (oy, (y0, y1, wy)) in rows.enumerated() {
                        for (ox, (x0, x1, wx)) in cols.enumerated() {
                            let g = dyp[src + oy * 2 * w + ox]
                            dxp[dst + y0 * w + x0] += (1 - wy) * (1 - wx) * g
                            dxp[dst + y0 * w + x1] += (1 - wy) * wx * g
                            dxp[dst + y1 * w + x0] += wy * (1 - wx) * g
                            dxp[dst + y1 * w + x1] += wy * wx * g
                        }
                    }
                }
            }
        }
    }

    /// `x [B, C, H, W] -> [B, C, 2H, 2W]`, y(oy, ox) = x(oy / 2, ox / 2).
    public static func nearest(_ x: Tensor) -> Tensor {
        let (planes, h, w) = (x.batch * x.channels, x.height, x.width)
        return Tensor(shape: [x.batch, x.channels, 2 * h, 2 * w]) { ys in
            x.scalars.withUnsafeBufferPointer { xs in
                let (xp, yp) = (xs.baseAddress!, ys.baseAddress!)
                parallelFor(planes) { p in
                    for oy in 0..<2 * h {
                        for ox in 0..<2 * w {
                            yp[(p * 2 * h + oy) * 2 * w + ox] = xp[(p * h + oy / 2) * w + ox / 2]
                        }
                    }
                }
            }
        }
    }

    /// `dy [B, C, 2H, 2W] -> dx [B, C, H, W]`: each dx sums its 2x2 block of dy.
    public static func nearestBackward(_ dy: Tensor) -> Tensor {
        precondition(dy.height % 2 == 0 && dy.width % 2 == 0, "Upsample.nearestBackward: odd gradient \(dy.shape)")
        let (planes, h, w) = (dy.batch * dy.channels, dy.height / 2, dy.width / 2)
        return Tensor(shape: [dy.batch, dy.channels, h, w], repeating: 0).updatingScalars { dxp in
            dy.scalars.withUnsafeBufferPointer { dys in
                let dyp = dys.baseAddress!
                parallelFor(planes) { p in
                    for oy in 0..<2 * h {
                        for ox in 0..<2 * w {
                            dxp[(p * h + oy / 2) * w + ox / 2] += dyp[(p * 2 * h + oy) * 2 * w + ox]
                        }
                    }
                }
            }
        }
    }
}
