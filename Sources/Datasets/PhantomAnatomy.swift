import Foundation
import SeededRandom
import VoxelGeometry

/// One case's anatomy: every structure's size and place, drawn from the case's random stream.
final class PhantomAnatomy {
    let site: PhantomSite
    /// Pixels per row and column of the native (acquisition) grid.
    let size: Int
    let nz: Int
    let pixel: Double
    let thickness: Double
    let gland: GlandModel
    let bladder: Ellipsoid
    let vesicles: [Ellipsoid]
    let rectum: Ellipse
    let rectalTiltY: Double
    let rectumAir: Bool
    let obturators: [Ellipse]
    let glutei: [Ellipse]
    /// The periprostatic venous plexus: a rim of gland-like signal in front of the gland.
    let plexusWidth: Double
    /// The levator ani where it hugs the sides of the gland: gap to the gland and thickness.
    let huggingGap: Double, huggingWidth: Double
    let abdominals: [Ellipse]
    let pubis: [Ellipsoid]
    let sidewalls: [Ellipsoid]
    let body: Ellipse
    let nodules: [(x: Double, y: Double, z: Double, r: Double, delta: Float)]
    let coarse: ValueNoise, fine: ValueNoise, outline: ValueNoise
    let biasCoefficients: [Double]
    let intensity: [Float]
    let texture: [Float]

    init(site: PhantomSite, rng: inout SeededGenerator) {
        func uniform(_ range: ClosedRange<Double>) -> Double { range.lowerBound + (range.upperBound - range.lowerBound) * rng.uniformDouble() }
        self.site = site
        size = site.nativeMatrix
        nz = site.slices.lowerBound + Int(rng.next() % UInt64(site.slices.count))
        thickness = site.sliceThickness * uniform(0.95...1.05)
        pixel = site.fieldOfView * uniform(0.95...1.05) / Double(site.nativeMatrix)

        // The gland: benign hyperplasia makes sizes vary a lot between men.
        let caseScale = exp(0.15 * Double(rng.normal())) * site.glandScale
        let halfWidth = uniform(19...26) * caseScale
        let halfDepth = halfWidth * uniform(0.62...0.8)
        let halfLength = uniform(17...24) * pow(caseScale, 0.7)
        let zc = (Double(nz / 2) + uniform(-1.2...1.2)) * thickness
        let gx = uniform(-8...8), gy = uniform(-12...4)
        gland = GlandModel(
            zc: zc, halfLength: halfLength, halfWidth: halfWidth, halfDepth: halfDepth,
            peak: uniform(-0.15...0.35), apexPower: uniform(1.3...2.0), basePower: uniform(2.0...3.5),
            gx: gx, gy: gy, tiltX: uniform(-0.15...0.15), tiltY: uniform(-0.45...0.15),
            bendX: uniform(-5...5), bendY: uniform(-6...6),
            aspect: ControlCurve(&rng, mean: halfDepth / halfWidth, spread: 0.2),
            amplitudes: (2...5).map { k in ControlCurve(&rng, count: 6, mean: 0, spread: 0.22 / Double(k - 1).squareRoot()) },
            phases: (2...5).map { _ in ControlCurve(&rng, mean: uniform(0...(2 * Double.pi)), spread: 1.5) },
            flatten: ControlCurve(&rng, mean: site.endorectalCoil ? 0.3 : 0.15, spread: 0.1),
            centralApex: uniform(0.25...0.45), centralBase: uniform(0.6...0.8))

        let baseZ = zc + halfLength
        let bladderRz = uniform(18...32)
        bladder = Ellipsoid(cx: gx + uniform(-6...6), cy: gy - halfDepth * uniform(0.6...1.0), cz: baseZ - 2 + bladderRz * uniform(0.7...0.95),
                            rx: uniform(28...48), ry: uniform(20...34), rz: bladderRz)
        let vesicleZ = baseZ + uniform(0...6), vesicleY = gy + halfDepth * uniform(0.5...0.8)
        vesicles = [-1.0, 1.0].map { side in
            Ellipsoid(cx: gx + side * uniform(13...21), cy: vesicleY + uniform(-3...3), cz: vesicleZ + uniform(-3...3),
                      rx: uniform(11...16), ry: uniform(4.5...7), rz: uniform(8...12))
        }
        let coil = site.endorectalCoil
        let rectumRy = coil ? uniform(15...19) : uniform(10...14)
        let rectum = Ellipse(cx: gx + uniform(-5...5), cy: gy + halfDepth + uniform(2...5) + rectumRy,
                             rx: coil ? uniform(21...25) : uniform(14...20), ry: rectumRy)
        self.rectum = rectum
        rectalTiltY = gland.tiltY * uniform(0.6...1.0)
        rectumAir = coil || rng.uniform() < 0.5
        let obturatorX = halfWidth + uniform(14...22)
        obturators = [-1.0, 1.0].map { side in
            Ellipse(cx: gx + side * obturatorX, cy: gy + uniform(-6...6), rx: uniform(7...10), ry: uniform(26...36))
        }
        glutei = [-1.0, 1.0].map { side in
            Ellipse(cx: gx + side * uniform(55...75), cy: rectum.cy + uniform(25...40), rx: uniform(35...45), ry: uniform(25...35))
        }
        let body = Ellipse(cx: uniform(-5...5), cy: gy + uniform(5...20), rx: uniform(150...190), ry: uniform(95...135))
        self.body = body
        abdominals = [-1.0, 1.0].map { side in
            Ellipse(cx: body.cx + side * uniform(25...35), cy: body.cy - body.ry + uniform(14...20), rx: uniform(22...30), ry: uniform(5...8))
        }
        let pubisY = gy - halfDepth - uniform(12...18), pubisZ = zc - halfLength * uniform(0.1...0.5)
        pubis = [-1.0, 1.0].map { side in
            let rx = uniform(10...14)
            return Ellipsoid(cx: gx + side * (rx + 1.5), cy: pubisY, cz: pubisZ, rx: rx, ry: uniform(13...18), rz: uniform(16...24))
        }
        sidewalls = [-1.0, 1.0].map { side in
            Ellipsoid(cx: gx + side * (obturatorX + uniform(22...30)), cy: gy + uniform(-8...8), cz: zc + uniform(-10...20),
                      rx: uniform(14...20), ry: uniform(30...45), rz: uniform(60...90))
        }
        let noduleCount = Int(rng.next() % 6)
        nodules = (0..<noduleCount).map { _ in
            (x: gx + halfWidth * uniform(-0.35...0.35), y: gy - halfDepth * uniform(0...0.35), z: zc + halfLength * uniform(-0.1...0.6),
             r: uniform(3...7) * caseScale, delta: Float(uniform(-0.12...0.14)))
        }
        let extent = (x: site.fieldOfView * 1.1, y: site.fieldOfView * 1.1, z: Double(nz + 2) * thickness)
        let origin = (-extent.x / 2, -extent.y / 2, -2 * thickness)
        coarse = ValueNoise(&rng, cell: 7, extent: extent, origin: origin)
        fine = ValueNoise(&rng, cell: 2.2, extent: extent, origin: origin)
        outline = ValueNoise(&rng, cell: 11, extent: extent, origin: origin)
        biasCoefficients = (0..<6).map { _ in 2 * rng.uniformDouble() - 1 }
        plexusWidth = uniform(0.8...2.5)
        huggingGap = uniform(0.3...2.5)
        huggingWidth = uniform(3.5...6)

        var base = [Float](repeating: 0, count: Tissue.allCases.count)
        var amplitude = [Float](repeating: 0, count: Tissue.allCases.count)
        func set(_ tissue: Tissue, _ value: Double, _ texture: Float) {
            base[tissue.rawValue] = Float(pow(max(value * uniform(0.94...1.06), 0), site.gamma))
            amplitude[tissue.rawValue] = texture
        }
        set(.air, 0, 0)
        set(.fat, site.fat, 0.10)
        set(.muscle, 0.22, 0.08)
        set(.cortex, 0.05, 0.05)
        set(.marrow, 0.5, 0.12)
        set(.urine, 0.97, 0.02)
        set(.bladderWall, 0.3, 0.05)
        set(.rectalWall, 0.36, 0.08)
        set(.rectalContent, rectumAir ? 0.05 : 0.45, rectumAir ? 0.05 : 0.35)
        set(.vesicle, 0.7, 0.3)
        set(.peripheral, site.peripheralZone, 0.12)
        set(.central, site.centralGland, 0.16)
        set(.capsule, 0.26, 0.05)
        set(.plexus, site.peripheralZone, 0.2)
        intensity = base
        texture = amplitude
    }

    /// The gland's cross-section at height z, nil outside it.
    func glandSection(_ z: Double) -> GlandSection? {
        guard let t = gland.t(z) else { return nil }
        let scale = gland.profile(t)
        guard scale > 0.02 else { return nil }
        let a = gland.halfWidth * scale, b = gland.halfWidth * gland.aspect(t) * scale
        let dz = z - gland.zc
        let cx = gland.gx + gland.tiltX * dz + gland.bendX * t * t
        let cy = gland.gy + gland.tiltY * dz + gland.bendY * t * t
        let flatten = gland.flatten(t)
        var radii = [Double](repeating: 0, count: GlandSection.bins)
        for i in 0..<GlandSection.bins {
            let angle = (Double(i) + 0.5) / Double(GlandSection.bins) * 2 * Double.pi - Double.pi
            let c = cos(angle), s = sin(angle)
            var r = a * b / ((b * c) * (b * c) + (a * s) * (a * s)).squareRoot()
            for k in 0..<4 { r *= 1 + gland.amplitudes[k](t) * cos(Double(k + 2) * angle + gland.phases[k](t)) }
            if s > 0 { r *= 1 - flatten * s * s }  // the posterior side, toward the rectum
            radii[i] = max(r, 0)
        }
        let central = gland.centralApex + (gland.centralBase - gland.centralApex) * (t + 1) / 2
        return GlandSection(cx: cx, cy: cy, radii: radii, maxRadius: radii.max() ?? 0,
                            ccx: cx, ccy: cy - 0.22 * b, centralScale: central, halfDepth: b)
    }

    /// Everything that depends on the plane only, computed once per plane. A class: the
    /// per-pixel loop passes it around millions of times, and a struct this size is copied.
    final class Plane {
        let z: Double
        let gland: GlandSection?
        let bladder: Ellipse?
        let vesicles: [Ellipse]
        let pubis: [Ellipse]
        let sidewalls: [Ellipse]
        let rectum: Ellipse
        let hugging: [Ellipse]

        init(z: Double, gland: GlandSection?, bladder: Ellipse?, vesicles: [Ellipse], pubis: [Ellipse], sidewalls: [Ellipse], rectum: Ellipse,
             hugging: [Ellipse]) {
            self.z = z
            self.gland = gland
            self.bladder = bladder
            self.vesicles = vesicles
            self.pubis = pubis
            self.sidewalls = sidewalls
            self.rectum = rectum
            self.hugging = hugging
        }
    }

    func plane(_ z: Double) -> Plane {
        var rectum = self.rectum
        rectum.cy += rectalTiltY * (z - gland.zc)
        let section = glandSection(z)
        var hugging: [Ellipse] = []
        if let g = section, let t = gland.t(z), t < 0.4 {
            // Dark muscle against both sides of the apex and mid-gland: the gland's dark capsule
            // and the muscle blur into one edge.
            for side in [-1.0, 1.0] {
                let reach = g.radius(side, 0) + huggingGap + huggingWidth
                hugging.append(Ellipse(cx: g.cx + side * reach, cy: g.cy + 0.15 * g.halfDepth, rx: huggingWidth, ry: 0.8 * g.halfDepth + 3))
            }
        }
        return Plane(z: z, gland: section, bladder: bladder.section(z), vesicles: vesicles.compactMap { $0.section(z) },
                     pubis: pubis.compactMap { $0.section(z) }, sidewalls: sidewalls.compactMap { $0.section(z) }, rectum: rectum,
                     hugging: hugging)
    }

    /// The tissue at (x, y) in a plane, and for gland tissue the nodule contrast there.
    /// `wobble`, a smooth noise value in [-1, 1], bends the outlines of the other organs.
    func tissue(_ x: Double, _ y: Double, _ p: Plane, wobble: Double) -> (Tissue, Float) {
        let soft = 0.12 * wobble, bone = 0.18 * wobble, muscle = 0.3 * wobble
        guard body.contains(x, y, slack: soft) else { return (.air, 0) }
        if let g = p.gland {
            let dx = x - g.cx, dy = y - g.cy
            let reach = g.maxRadius + plexusWidth
            if abs(dx) < reach && abs(dy) < reach {
                let r = g.radius(dx, dy), d = (dx * dx + dy * dy).squareRoot()
                if d < r {
                    if d > r - 1.0 { return (.capsule, 0) }
                    let cdx = x - g.ccx, cdy = y - g.ccy
                    let cd = (cdx * cdx + cdy * cdy).squareRoot()
                    if cd < g.radius(cdx, cdy) * g.centralScale {
                        var delta: Float = 0
                        for n in nodules {
                            let ex = x - n.x, ey = y - n.y, ez = p.z - n.z
                            if ex * ex + ey * ey + ez * ez < n.r * n.r { delta += n.delta }
                        }
                        return (.central, delta)
                    }
                    return (.peripheral, 0)
                }
                if d < r + plexusWidth && dy < 0.2 * r { return (.plexus, 0) }
            }
        }
        let r = p.rectum
        if r.contains(x, y, slack: soft) { return (r.contains(x, y, inset: 3, slack: soft) ? .rectalContent : .rectalWall, 0) }
        for m in p.hugging where m.contains(x, y, slack: 0.5 * muscle) { return (.muscle, 0) }
        for v in p.vesicles where v.contains(x, y, slack: 2 * soft) { return (.vesicle, 0) }
        if let b = p.bladder, b.contains(x, y, slack: soft) { return (b.contains(x, y, inset: 2.5, slack: soft) ? .urine : .bladderWall, 0) }
        for b in p.pubis where b.contains(x, y, slack: bone) { return (b.contains(x, y, inset: 2, slack: bone) ? .marrow : .cortex, 0) }
        for b in p.sidewalls where b.contains(x, y, slack: bone) { return (b.contains(x, y, inset: 2.5, slack: bone) ? .marrow : .cortex, 0) }
        for m in obturators where m.contains(x, y, slack: muscle) { return (.muscle, 0) }
        // The levator ani: a sling around the back and sides of the rectum in the lower pelvis.
        if p.z < gland.zc + gland.halfLength * 0.3 && y > r.cy - r.ry * 0.3 {
            let sling = Ellipse(cx: r.cx, cy: r.cy, rx: r.rx + 6, ry: r.ry + 6)
            if sling.contains(x, y, slack: muscle) { return (.muscle, 0) }
        }
        for m in glutei where m.contains(x, y, slack: muscle) { return (.muscle, 0) }
        for m in abdominals where m.contains(x, y, slack: muscle) { return (.muscle, 0) }
        return (.fat, 0)
    }

    /// The smooth multiplicative bias at (x, y, z): a random low-order polynomial in log
    /// space, plus the endorectal coil's bright spot behind the gland.
    func bias(_ x: Double, _ y: Double, _ z: Double) -> Float {
        let h = site.fieldOfView / 2
        let u = x / h, v = y / h, w = (z - gland.zc) / 60
        let c = biasCoefficients
        var log = site.bias / 2 * (c[0] * u + c[1] * v + c[2] * w + 0.6 * c[3] * u * u + 0.6 * c[4] * v * v + 0.6 * c[5] * u * v)
        if site.endorectalCoil {
            let dx = x - rectum.cx, dy = y - (rectum.cy + rectalTiltY * (z - gland.zc))
            log += 1.1 * exp(-(dx * dx + dy * dy) / (2 * 28 * 28))
        }
        return Float(Foundation.exp(log))
    }

    /// Renders the case on its native grid (partial-volume planes, blur, bias, Rician noise),
    /// then preprocesses it as an import would: normalised, resampled to S x S, the native
    /// mask kept as the reference.
    func render(id: String, settings: Importer.Settings, rng: inout SeededGenerator) -> StoredCase {
        let n = size
        let shape = VolumeShape(nz: nz, ny: n, nx: n)
        var clean = [Float](repeating: 0, count: shape.count)
        var label = [UInt8](repeating: 0, count: shape.count)
        let coords = (0..<n).map { (Double($0) + 0.5 - Double(n) / 2) * pixel }
        let offsets = [-thickness / 3, 0, thickness / 3]
        let grid = CoarseGrid(size: n, step: Self.coarseStep)
        // Everything that depends on the pixel column alone, computed once.
        let columns = (0..<n).map(grid.neighbours)
        let fineColumns = coords.map(fine.row(0, 0).position), coarseColumns = coords.map(coarse.row(0, 0).position)
        let intensity = self.intensity, texture = self.texture
        for k in 0..<nz {
            let zCentre = Double(k) * thickness
            let planes = offsets.map { plane(zCentre + $0) }
            // Tissue and bias on the coarse grid first: the tissue cascade on three planes is
            // most of the work, and it is constant over most of the field of view.
            var samples = [TissueSample](), biases = [Float]()
            samples.reserveCapacity(grid.count * grid.count)
            biases.reserveCapacity(grid.count * grid.count)
            for cj in 0..<grid.count {
                let y = coords[grid.pixel(cj)]
                let wobble = outline.row(y, zCentre)
                for ci in 0..<grid.count {
                    let x = coords[grid.pixel(ci)]
                    samples.append(exact(x, y, planes, wobble: Double(wobble(x))))
                    biases.append(bias(x, y, zCentre))
                }
            }
            for j in 0..<n {
                let y = coords[j]
                let fineRow = fine.row(y, zCentre), coarseRow = coarse.row(y, zCentre), outlineRow = outline.row(y, zCentre)
                let (cj0, cj1, wy) = columns[j]
                for i in 0..<n {
                    let x = coords[i]
                    let (ci0, ci1, wx) = columns[i]
                    let a = samples[cj0 * grid.count + ci0]
                    // Where all four samples around a pixel agree it takes their tissue; near an
                    // outline (or a nodule) it is evaluated exactly.
                    let sample = (wx == 0 && wy == 0) ? a
                        : a.isUniform(with: samples[cj0 * grid.count + ci1], samples[cj1 * grid.count + ci0], samples[cj1 * grid.count + ci1]) ? a
                        : exact(x, y, planes, wobble: Double(outlineRow(x)))
                    let grain = 0.65 * fineRow(at: fineColumns[i]) + 0.35 * coarseRow(at: coarseColumns[i])
                    let t = (Int(sample.tissues.0.rawValue), Int(sample.tissues.1.rawValue), Int(sample.tissues.2.rawValue))
                    let sum = (intensity[t.0] + sample.deltas.0) * (1 + texture[t.0] * grain)
                        + (intensity[t.1] + sample.deltas.1) * (1 + texture[t.1] * grain)
                        + (intensity[t.2] + sample.deltas.2) * (1 + texture[t.2] * grain)
                    if sample.tissues.1.isGland { label[shape.index(x: i, y: j, z: k)] = 1 }
                    let top = biases[cj0 * grid.count + ci0] * (1 - wx) + biases[cj0 * grid.count + ci1] * wx
                    let bottom = biases[cj1 * grid.count + ci0] * (1 - wx) + biases[cj1 * grid.count + ci1] * wx
                    clean[shape.index(x: i, y: j, z: k)] = sum / 3 * (top * (1 - wy) + bottom * wy)
                }
            }
        }
        blurInPlane(&clean, shape: shape)
        Phantom.addRicianNoise(to: &clean, sigma: Float(site.noise), using: &rng)
        let spacing = Spacing(x: pixel, y: pixel, z: thickness)
        let half = Double(n - 1) / 2 * pixel
        let orientation = Orientation(origin: [-half, -half, 0])
        return Importer.preprocess(id: id, site: site.name, volume: Volume(shape: shape, spacing: spacing, orientation: orientation, voxels: clean),
                                   mask: Volume(shape: shape, spacing: spacing, orientation: orientation, voxels: label), sourceFile: "", settings: settings)
    }

    /// The tissues of the three planes at (x, y).
    @inline(__always) private func exact(_ x: Double, _ y: Double, _ planes: [Plane], wobble: Double) -> TissueSample {
        TissueSample(tissue(x, y, planes[0], wobble: wobble), tissue(x, y, planes[1], wobble: wobble), tissue(x, y, planes[2], wobble: wobble))
    }

    /// Pixels between tissue samples on the coarse grid (one pixel in 16 is sampled); pixels
    /// between samples that differ, or that hold a nodule, are evaluated exactly, so outlines
    /// stay exact to a native pixel.
    static let coarseStep = 4

    /// A [1, 2, 1] / 4 blur along x and y of every slice: the in-plane point spread.
    private func blurInPlane(_ voxels: inout [Float], shape: VolumeShape) {
        let nx = shape.nx, ny = shape.ny
        var row = [Float](repeating: 0, count: max(nx, ny))
        for z in 0..<shape.nz {
            let base = z * ny * nx
            for y in 0..<ny {
                for x in 0..<nx {
                    let l = voxels[base + y * nx + max(x - 1, 0)], r = voxels[base + y * nx + min(x + 1, nx - 1)]
                    row[x] = 0.25 * l + 0.5 * voxels[base + y * nx + x] + 0.25 * r
                }
                for x in 0..<nx { voxels[base + y * nx + x] = row[x] }
            }
            for x in 0..<nx {
                for y in 0..<ny {
                    let u = voxels[base + max(y - 1, 0) * nx + x], d = voxels[base + min(y + 1, ny - 1) * nx + x]
                    row[y] = 0.25 * u + 0.5 * voxels[base + y * nx + x] + 0.25 * d
                }
                for y in 0..<ny { voxels[base + y * nx + x] = row[y] }
            }
        }
    }
}
