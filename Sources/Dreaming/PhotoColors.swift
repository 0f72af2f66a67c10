import Imaging

/// What a render keeps of the photo to give the dream back its colours (and alpha).
enum PhotoColors {
    /// Separate planes (`ColorSpace.split`): for several results from one photo.
    case planes(ColorSpace.YCbCr)
    /// The photo's own storage, its colour planes turned into Y, Cb and Cr in place
    /// (`ColorSpace.splitInPlace`; a gray plane and alpha as they were): a large photo
    /// costs no new chroma planes, and the coloured result is written over it.
    case packed(Image)

    /// The photo's alpha plane, if it had one.
    var alpha: Image? {
        switch self {
        case .planes(let parts): parts.alpha
        case .packed(let planes): planes.hasAlpha ? planes.plane(planes.channels - 1) : nil
        }
    }

    /// The photo's colours around the luma `view` (1 - `view` with `invert`): join, then
    /// `fitGamut` when `fitsGamut`, then clamp, in one banded pass; the same floats as
    /// those steps one after the other. Packed planes are overwritten (no new planes when
    /// they are not shared).
    consuming func colored(luma view: Image, invert: Bool, fitsGamut: Bool, workers: Int) -> Image {
        let n = view.planeSize
        switch consume self {
        case .planes(let parts):
            let channels = parts.alpha == nil ? 3 : 4
            let rgb = [Float](unsafeUninitializedCapacity: channels * n) { rgb, initialized in
                view.pixels.withUnsafeBufferPointer { luma in
                    parts.cb.pixels.withUnsafeBufferPointer { cb in
                        parts.cr.pixels.withUnsafeBufferPointer { cr in
                            Self.color(
                                luma: luma.baseAddress!, cb: cb.baseAddress!, cr: cr.baseAddress!,
                                into: rgb.baseAddress!, count: n, invert: invert, fitsGamut: fitsGamut,
                                workers: workers)
                        }
                    }
                }
                if let alpha = parts.alpha {
                    alpha.pixels.withUnsafeBufferPointer { a in
                        let target = rgb.baseAddress! + 3 * n
                        Bands.run(n, workers: workers) { range in
                            for i in range { target[i] = min(max(a[i], 0), 1) }
                        }
                    }
                }
                initialized = channels * n
            }
            return Image(width: view.width, height: view.height, channels: channels, pixels: rgb)
        case .packed(var planes):
            precondition(planes.colorChannels == 3 && planes.planeSize == n, "packed planes must be Y, Cb, Cr")
            let hasAlpha = planes.hasAlpha
            planes.pixels.withUnsafeMutableBufferPointer { p in
                view.pixels.withUnsafeBufferPointer { luma in
                    let base = p.baseAddress!
                    Self.color(
                        luma: luma.baseAddress!, cb: base + n, cr: base + 2 * n, into: base, count: n,
                        invert: invert, fitsGamut: fitsGamut, workers: workers)
                }
                if hasAlpha {
                    let alpha = p.baseAddress! + 3 * n
                    Bands.run(n, workers: workers) { range in
                        for i in range { alpha[i] = min(max(alpha[i], 0), 1) }
                    }
                }
            }
            return planes
        }
    }

    /// RGB planes at `rgb` (3 x `count`) from luma and chroma. Pixel `i` reads all its
    /// inputs before writing, so `cb` and `cr` may be planes 1 and 2 of `rgb` itself.
    /// Eight pixels at a time: each lane does what the scalar code does, selects standing
    /// in for its branches and for `min`/`max` (same comparisons, so the same floats).
    private static func color(
        luma: UnsafePointer<Float>, cb cbs: UnsafePointer<Float>, cr crs: UnsafePointer<Float>,
        into rgb: UnsafeMutablePointer<Float>, count n: Int, invert: Bool, fitsGamut: Bool, workers: Int
    ) {
        typealias Lanes = SIMD8<Float>
        Bands.run(n, workers: workers) { range in
            var i = range.lowerBound
            while i + Lanes.scalarCount <= range.upperBound {
                let stored = UnsafeRawPointer(luma + i).loadUnaligned(as: Lanes.self)
                let y = invert ? 1 - stored : stored
                let cb = UnsafeRawPointer(cbs + i).loadUnaligned(as: Lanes.self) - 0.5
                let cr = UnsafeRawPointer(crs + i).loadUnaligned(as: Lanes.self) - 0.5
                var r = y + 1.402 * cr
                var g = y - 0.344136 * cb - 0.714136 * cr
                var b = y + 1.772 * cb
                // Most pixels are in the gamut, where fitGamut changes nothing.
                let outside = (r .> 1) .| (r .< 0) .| (g .> 1) .| (g .< 0) .| (b .> 1) .| (b .< 0)
                if fitsGamut && any(outside) { fitGamut(&r, &g, &b, luma: y) }
                UnsafeMutableRawPointer(rgb + i).storeBytes(of: clamped(r), as: Lanes.self)
                UnsafeMutableRawPointer(rgb + n + i).storeBytes(of: clamped(g), as: Lanes.self)
                UnsafeMutableRawPointer(rgb + 2 * n + i).storeBytes(of: clamped(b), as: Lanes.self)
                i += Lanes.scalarCount
            }
            while i < range.upperBound {
                let y = invert ? 1 - luma[i] : luma[i], cb = cbs[i] - 0.5, cr = crs[i] - 0.5
                var r = y + 1.402 * cr
                var g = y - 0.344136 * cb - 0.714136 * cr
                var b = y + 1.772 * cb
                if fitsGamut { DreamRenderer.fitGamut(&r, &g, &b, luma: y) }
                rgb[i] = min(max(r, 0), 1)
                rgb[n + i] = min(max(g, 0), 1)
                rgb[2 * n + i] = min(max(b, 0), 1)
                i += 1
            }
        }
    }

    /// `min(max(v, 0), 1)` lane by lane (`max(v, 0)` is `0 >= v ? 0 : v`, `min(v, 1)` is `1 < v ? 1 : v`).
    @inline(__always)
    private static func clamped(_ v: SIMD8<Float>) -> SIMD8<Float> {
        v.replacing(with: 0, where: v .<= 0).replacing(with: 1, where: v .> 1)
    }

    /// One channel's bound on the factor `k` of `fitGamut`, lane by lane.
    @inline(__always)
    private static func limit(
        _ k: SIMD8<Float>, _ v: SIMD8<Float>, _ y: SIMD8<Float>, _ up: SIMD8<Float>, _ down: SIMD8<Float>
    ) -> SIMD8<Float> {
        let high = up / (v - y), low = down / (y - v)
        let k = k.replacing(with: high, where: (v .> 1) .& (v - y .> 0) .& (high .< k))
        return k.replacing(with: low, where: (v .< 0) .& (y - v .> 0) .& (low .< k))
    }

    /// `DreamRenderer.fitGamut` lane by lane.
    @inline(__always)
    private static func fitGamut(
        _ r: inout SIMD8<Float>, _ g: inout SIMD8<Float>, _ b: inout SIMD8<Float>, luma y: SIMD8<Float>
    ) {
        let up = (1 - y).replacing(with: 0, where: 1 - y .<= 0)  // max(1 - y, 0)
        let down = y.replacing(with: 0, where: y .<= 0)  // max(y, 0)
        var k = SIMD8<Float>(repeating: 1)
        k = limit(k, r, y, up, down)
        k = limit(k, g, y, up, down)
        k = limit(k, b, y, up, down)
        let shrink = k .< 1
        r = r.replacing(with: y + k * (r - y), where: shrink)
        g = g.replacing(with: y + k * (g - y), where: shrink)
        b = b.replacing(with: y + k * (b - y), where: shrink)
    }
}
