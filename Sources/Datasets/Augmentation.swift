import Foundation
import SeededRandom

/// The augmentation of SSL4MIS's RandomGenerator, applied identically to a slice and its mask:
/// with p = 0.5 a rotation by k quarter turns (k uniform in 0...3) followed by a flip along a
/// random axis; otherwise, with p = 0.5, a rotation by an angle uniform in [-20, 20] degrees
/// about the slice centre (bilinear for images, nearest neighbour for masks, zero outside);
/// otherwise nothing.
public enum AugmentationTransform: Sendable, Equatable {
    /// No change.
    case identity
    /// `quarterTurns` rotations by 90 degrees (NumPy's rot90: counter-clockwise as displayed
    /// with row 0 on top), then a flip of rows (`flipAxis` 0, upside down) or columns (1).
    case quarterTurns(Int, flipAxis: Int)
    /// A rotation by this many degrees (counter-clockwise as displayed) about the centre.
    case rotation(degrees: Double)

    /// Draws a transform as SSL4MIS does.
    public static func random(using rng: inout SeededGenerator) -> AugmentationTransform {
        if rng.uniformDouble() < 0.5 {
            let k = Int(rng.next() % 4), axis = Int(rng.next() % 2)
            return .quarterTurns(k, flipAxis: axis)
        }
        if rng.uniformDouble() < 0.5 { return .rotation(degrees: -20 + 40 * rng.uniformDouble()) }
        return .identity
    }

    /// The transform applied to an image slice (bilinear interpolation for rotations).
    public func apply(toImage slice: [Float], size: SliceSize) -> [Float] {
        transform(slice, size: size, bilinear: true)
    }

    /// The transform applied to a mask slice (nearest neighbour for rotations).
    public func apply(toMask slice: [UInt8], size: SliceSize) -> [UInt8] {
        transform(slice.map(Float.init), size: size, bilinear: false).map { UInt8($0) }
    }

    private func transform(_ slice: [Float], size: SliceSize, bilinear: Bool) -> [Float] {
        precondition(slice.count == size.count, "slice holds \(slice.count) pixels, \(size) expected")
        switch self {
        case .identity:
            return slice
        case .quarterTurns(let k, let axis):
            precondition(size.nx == size.ny || k % 2 == 0, "quarter turns need square slices")
            var current = slice, ny = size.ny, nx = size.nx
            for _ in 0..<(k % 4) {
                // np.rot90: out[i][j] = in[j][nx - 1 - i], and the shape becomes [nx, ny].
                var turned = [Float](repeating: 0, count: current.count)
                for i in 0..<nx { for j in 0..<ny { turned[i * ny + j] = current[j * nx + (nx - 1 - i)] } }
                current = turned
                swap(&nx, &ny)
            }
            var flipped = current
            for y in 0..<ny {
                for x in 0..<nx {
                    flipped[y * nx + x] = axis == 0 ? current[(ny - 1 - y) * nx + x] : current[y * nx + (nx - 1 - x)]
                }
            }
            return flipped
        case .rotation(let degrees):
            return rotate(slice, size: size, radians: degrees * Double.pi / 180, bilinear: bilinear)
        }
    }

    /// Inverse mapping: each output pixel samples the input at the position that the rotation
    /// carries onto it; pixels from outside the slice are 0 (SciPy's mode "constant").
    private func rotate(_ slice: [Float], size: SliceSize, radians: Double, bilinear: Bool) -> [Float] {
        let cy = Double(size.ny - 1) / 2, cx = Double(size.nx - 1) / 2
        let c = cos(radians), s = sin(radians)
        func pixel(_ x: Int, _ y: Int) -> Float {
            x >= 0 && y >= 0 && x < size.nx && y < size.ny ? slice[y * size.nx + x] : 0
        }
        var output = [Float](repeating: 0, count: size.count)
        for y in 0..<size.ny {
            for x in 0..<size.nx {
                // Counter-clockwise as displayed (y down) is clockwise in (x, y) maths axes,
                // so the source is the output rotated the other way.
                let dx = Double(x) - cx, dy = Double(y) - cy
                let sx = cx + c * dx - s * dy, sy = cy + s * dx + c * dy
                if bilinear {
                    let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                    let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                    let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
                    let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
                    output[y * size.nx + x] = top * (1 - fy) + bottom * fy
                } else {
                    output[y * size.nx + x] = pixel(Int(sx.rounded()), Int(sy.rounded()))
                }
            }
        }
        return output
    }
}

/// Augments an (image, mask) training pair with one random transform applied to both.
public func augment(image: [Float], mask: [UInt8], size: SliceSize, using rng: inout SeededGenerator) -> (image: [Float], mask: [UInt8]) {
    let transform = AugmentationTransform.random(using: &rng)
    return (transform.apply(toImage: image, size: size), transform.apply(toMask: mask, size: size))
}
