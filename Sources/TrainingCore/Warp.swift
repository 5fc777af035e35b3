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
        var out = Tensor(shape: image.shape)
        forEachSample(image, flow) { b, o, sample in
            for c in 0..<image.channels {
                let plane = (b * image.channels + c) * image.height * image.width
                var value: Float = 0
                for (index, weight) in sample.corners { value += weight * image.scalars[plane + index] }
                out.scalars[plane + o] = value
            }
        }
        return out
    }

    /// The backward of ``bilinear(_:flow:)``: `dout [B, C, H, W] -> (dimage, dflow)`.
    /// dimage scatters dout to the four corners with the bilinear weights; dflow is
    /// sum_c dout * d(out)/d(sy, sx), where d(out)/d(sy) = (1-wx)(I(y0+1,x0) - I(y0,x0)) +
    /// wx(I(y0+1,x0+1) - I(y0,x0+1)), corners outside the image counting as 0 (likewise x).
    public static func bilinearBackward(_ dout: Tensor, image: Tensor, flow: Tensor) -> (image: Tensor, flow: Tensor) {
        checkShapes(image, flow)
        precondition(dout.shape == image.shape, "Warp.bilinearBackward: dout \(dout.shape) for image \(image.shape)")
        var dimage = Tensor(shape: image.shape)
        var dflow = Tensor(shape: flow.shape)
        let plane = image.height * image.width
        forEachSample(image, flow) { b, o, sample in
            var gy: Float = 0, gx: Float = 0
            for c in 0..<image.channels {
                let base = (b * image.channels + c) * plane
                let g = dout.scalars[base + o]
                guard g != 0 else { continue }
                for (index, weight) in sample.corners { dimage.scalars[base + index] += weight * g }
                // Corner values with zeros outside: v[i][j] at (y0 + i, x0 + j).
                var v: [Float] = [0, 0, 0, 0]
                for (slot, index) in sample.cornerSlots { v[slot] = image.scalars[base + index] }
                gy += g * ((1 - sample.wx) * (v[2] - v[0]) + sample.wx * (v[3] - v[1]))
                gx += g * ((1 - sample.wy) * (v[1] - v[0]) + sample.wy * (v[3] - v[2]))
            }
            dflow.scalars[(b * 2) * plane + o] = gy
            dflow.scalars[(b * 2 + 1) * plane + o] = gx
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
    /// indicator exceeds `threshold` (0.5 in methods.md); pixels where none does are 0.
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

    private struct Sample {
        var wy: Float, wx: Float
        /// (plane index, weight) of the corners inside the image.
        var corners: [(Int, Float)]
        /// (slot i*2 + j, plane index) of the corners inside the image.
        var cornerSlots: [(Int, Int)]
    }

    private static func checkShapes(_ image: Tensor, _ flow: Tensor) {
        precondition(image.shape.count == 4 && flow.shape == [image.batch, 2, image.height, image.width],
                     "Warp: flow \(flow.shape) does not fit image \(image.shape) (expected [B, 2, H, W])")
    }

    private static func forEachSample(_ image: Tensor, _ flow: Tensor, _ body: (Int, Int, Sample) -> Void) {
        let (h, w, plane) = (image.height, image.width, image.height * image.width)
        for b in 0..<image.batch {
            for y in 0..<h {
                for x in 0..<w {
                    let o = y * w + x
                    let sy = Float(y) + flow.scalars[(b * 2) * plane + o]
                    let sx = Float(x) + flow.scalars[(b * 2 + 1) * plane + o]
                    let fy = sy.rounded(.down), fx = sx.rounded(.down)
                    let (wy, wx) = (sy - fy, sx - fx)
                    var sample = Sample(wy: wy, wx: wx, corners: [], cornerSlots: [])
                    // Far outside the image (or not finite): every corner reads 0.
                    if fy > -2 && fy < Float(h) && fx > -2 && fx < Float(w) {
                        let (y0, x0) = (Int(fy), Int(fx))
                        for i in 0..<2 {
                            for j in 0..<2 {
                                let (cy, cx) = (y0 + i, x0 + j)
                                guard cy >= 0 && cy < h && cx >= 0 && cx < w else { continue }
                                let weight = (i == 1 ? wy : 1 - wy) * (j == 1 ? wx : 1 - wx)
                                sample.corners.append((cy * w + cx, weight))
                                sample.cornerSlots.append((i * 2 + j, cy * w + cx))
                            }
                        }
                    }
                    body(b, o, sample)
                }
            }
        }
    }
}
