import Foundation

/// The spatial transformer: warps images by a dense displacement field.
///
/// The field `flow [B, 2, H, W]` holds, at each output pixel (y, x), the displacement to the
/// point sampled from the moving image: channel 0 along y (rows), channel 1 along x (columns),
/// in pixels (voxelmorph's order of the spatial dimensions). Points outside the image read 0.
public enum Warp {
    /// `image [B, C, H, W], flow [B, 2, H, W] -> [B, C, H, W]`, bilinear with zero padding:
    /// out(y, x) = sum over the corners (y0 + i, x0 + j) of the sample point
    /// (sy, sx) = (y + flow0, x + flow1) of (i ? wy : 1-wy)(j ? wx : 1-wx) image(y0 + i, x0 + j),
    /// with y0 = floor(sy), wy = sy - y0 (likewise x).
    public static func bilinear(_ image: Tensor, flow: Tensor) -> Tensor {
        checkShapes(image, flow)
        guard image.count > 0 else { return image }
        let (batch, channels, height, width) = (image.batch, image.channels, image.height, image.width)
        let plane = height * width
        return Tensor(shape: image.shape) { out in
            withPixels(image, flow) { image, flow in
                let (ip, op) = (image.baseAddress!, out.baseAddress!)
                forEachSample(flow.baseAddress!, batch: batch, height: height, width: width) { b, o, sample in
                    for c in 0..<channels {
                        let base = (b * channels + c) * plane
                        var value: Float = 0
                        for i in 0..<2 {
                            for j in 0..<2 where sample.inside(i, j) { value += sample.weight(i, j) * ip[base + sample.index(i, j)] }
                        }
                        op[base + o] = value
                    }
                }
            }
        }
    }

    /// The backward of ``bilinear(_:flow:)``: `dout [B, C, H, W] -> (dimage, dflow)`.
    /// dimage scatters dout to the four corners with the bilinear weights; dflow is
    /// sum_c dout * d(out)/d(sy, sx), where d(out)/d(sy) = (1-wx)(I(y0+1,x0) - I(y0,x0)) +
    /// wx(I(y0+1,x0+1) - I(y0,x0+1)), corners outside the image counting as 0 (likewise x).
    public static func bilinearBackward(_ dout: Tensor, image: Tensor, flow: Tensor) -> (image: Tensor, flow: Tensor) {
        checkShapes(image, flow)
        precondition(dout.shape == image.shape, "Warp.bilinearBackward: dout \(dout.shape) for image \(image.shape)")
        guard image.count > 0 else { return (image, Tensor(shape: flow.shape)) }
        var dimage = Tensor(shape: image.shape)
        var dflow = Tensor(shape: flow.shape)
        let (batch, channels, height, width) = (image.batch, image.channels, image.height, image.width)
        let plane = height * width
        withPixels(image, flow) { image, flow in
            dout.scalars.withUnsafeBufferPointer { dout in
                dimage.scalars.withUnsafeMutableBufferPointer { dimage in
                    dflow.scalars.withUnsafeMutableBufferPointer { dflow in
                        let (ip, gp, dip, dfp) = (image.baseAddress!, dout.baseAddress!, dimage.baseAddress!, dflow.baseAddress!)
                        forEachSample(flow.baseAddress!, batch: batch, height: height, width: width) { b, o, sample in
                            var gy: Float = 0, gx: Float = 0
                            for c in 0..<channels {
                                let base = (b * channels + c) * plane
                                let g = gp[base + o]
                                guard g != 0 else { continue }
                                // Corner values with zeros outside: v[i*2 + j] at (y0 + i, x0 + j).
                                var v = SIMD4<Float>()
                                for i in 0..<2 {
                                    for j in 0..<2 where sample.inside(i, j) {
                                        dip[base + sample.index(i, j)] += sample.weight(i, j) * g
                                        v[i * 2 + j] = ip[base + sample.index(i, j)]
                                    }
                                }
                                gy += g * ((1 - sample.wx) * (v[2] - v[0]) + sample.wx * (v[3] - v[1]))
                                gx += g * ((1 - sample.wy) * (v[1] - v[0]) + sample.wy * (v[3] - v[2]))
                            }
                            dfp[(b * 2) * plane + o] = gy
                            dfp[(b * 2 + 1) * plane + o] = gx
                        }
                    }
                }
            }
        }
        return (dimage, dflow)
    }

    /// `labels [B, C, H, W], flow -> [B, C, H, W]`, nearest neighbour (round half to even, as
    /// PyTorch's grid_sample), 0 outside: for label maps, or one channel per class.
    public static func nearest(_ labels: Tensor, flow: Tensor) -> Tensor {
        checkShapes(labels, flow)
        let (h, w, plane) = (labels.height, labels.width, labels.height * labels.width)
        var out = Tensor(shape: labels.shape)
        for b in 0..<labels.batch {
            for y in 0..<h {
                for x in 0..<w {
                    let o = y * w + x
                    let sy = Int((Float(y) + flow.scalars[(b * 2) * plane + o]).rounded(.toNearestOrEven))
                    let sx = Int((Float(x) + flow.scalars[(b * 2 + 1) * plane + o]).rounded(.toNearestOrEven))
                    guard sy >= 0 && sy < h && sx >= 0 && sx < w else { continue }
                    for c in 0..<labels.channels {
                        let base = (b * labels.channels + c) * plane
                        out.scalars[base + o] = labels.scalars[base + sy * w + sx]
                    }
                }
            }
        }
        return out
    }

    /// Warps a label map (`[B, 1, H, W]` of class indices 0..<classes, as Float) by warping its
    /// one-hot encoding bilinearly and keeping, at each pixel, the class whose warped
    /// indicator exceeds `threshold` (0.5 in docs/methods.md); pixels where none does are 0.
    public static func labelsBilinear(_ labels: Tensor, flow: Tensor, classes: Int, threshold: Float = 0.5) -> Tensor {
        precondition(labels.shape.count == 4 && labels.channels == 1, "Warp.labelsBilinear: labels \(labels.shape), expected [B, 1, H, W]")
        let oneHot = Softmax.oneHot(labels.scalars.map { Int32($0) }, classes: classes, batch: labels.batch, height: labels.height, width: labels.width)
        let warped = bilinear(oneHot, flow: flow)
        let plane = labels.height * labels.width
        var out = Tensor(shape: labels.shape)
        for b in 0..<labels.batch {
            for i in 0..<plane {
                for k in 1..<classes where warped.scalars[(b * classes + k) * plane + i] > threshold {
                    out.scalars[b * plane + i] = Float(k)
                }
            }
        }
        return out
    }

    /// The bilinear footprint of one sample point: corners (y0 + i, x0 + j), i, j in {0, 1}.
    private struct Sample {
        var y0: Int, x0: Int, wy: Float, wx: Float, width: Int
        /// Whether rows y0, y0 + 1 and columns x0, x0 + 1 lie inside the image.
        var rowInside: (Bool, Bool), columnInside: (Bool, Bool)

        func inside(_ i: Int, _ j: Int) -> Bool {
            (i == 0 ? rowInside.0 : rowInside.1) && (j == 0 ? columnInside.0 : columnInside.1)
        }

        func weight(_ i: Int, _ j: Int) -> Float {
            (i == 1 ? wy : 1 - wy) * (j == 1 ? wx : 1 - wx)
        }

        /// The plane index of corner (i, j) (inside the image).
        func index(_ i: Int, _ j: Int) -> Int {
            (y0 + i) * width + x0 + j
        }
    }

    private static func checkShapes(_ image: Tensor, _ flow: Tensor) {
        precondition(image.shape.count == 4 && flow.shape == [image.batch, 2, image.height, image.width],
                     "Warp: flow \(flow.shape) does not fit image \(image.shape) (expected [B, 2, H, W])")
    }

    /// Calls `body(b, o, sample)` for every output pixel o of every slice b, given the field
    /// `flow [B, 2, H, W]`. Slices run on ``BLAS/threads`` threads: a slice's samples read and
    /// write only that slice's planes, so the bits do not depend on the thread count. Raw
    /// pointers: the per-pixel loop is the warp's whole cost.
    private static func forEachSample(_ flow: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                      _ body: @escaping (Int, Int, Sample) -> Void) {
        let plane = h * w
        parallelFor(batch) { b in
            for y in 0..<h {
                for x in 0..<w {
                    let o = y * w + x
                    let sy = Float(y) + flow[(b * 2) * plane + o]
                    let sx = Float(x) + flow[(b * 2 + 1) * plane + o]
                    let fy = sy.rounded(.down), fx = sx.rounded(.down)
                    var sample = Sample(y0: 0, x0: 0, wy: sy - fy, wx: sx - fx, width: w, rowInside: (false, false), columnInside: (false, false))
                    // Far outside the image (or not finite): every corner reads 0.
                    if fy > -2 && fy < Float(h) && fx > -2 && fx < Float(w) {
                        let (y0, x0) = (Int(fy), Int(fx))
                        sample.y0 = y0
                        sample.x0 = x0
                        sample.rowInside = (y0 >= 0 && y0 < h, y0 + 1 >= 0 && y0 + 1 < h)
                        sample.columnInside = (x0 >= 0 && x0 < w, x0 + 1 >= 0 && x0 + 1 < w)
                    }
                    body(b, o, sample)
                }
            }
        }
    }
}
