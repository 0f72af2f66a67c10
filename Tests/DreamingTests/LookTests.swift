import Foundation
import Imaging
import NeuralNet
import Resampling
import TestSupport
import Testing

@testable import Dreaming

/// What a person sees in the ghost and tiles presets, measured: the ghost is one bold
/// form (its change lives in the picture's coarsest scales), tiles grows strokes in flat
/// areas (not a few isolated specks). Each check also runs today's old settings as the
/// control that shows the measure can fail.
@Suite(.tags(.slow)) struct LookTests {
    let renderer: DreamRenderer

    init() throws { renderer = DreamRenderer(model: try bundledModel()) }

    func preset(_ name: String) throws -> DreamSettings {
        try PresetLibrary(directories: [repositoryRoot + "/presets"]).load(name).settings
    }

    /// The luminance change of a render, output minus photo.
    static func change(_ output: Image, _ photo: Image) -> (values: [Float], width: Int, height: Int) {
        let a = StrengthAndRangeTests.luma(output), b = StrengthAndRangeTests.luma(photo)
        return (zip(a, b).map { $0 - $1 }, photo.width, photo.height)
    }

    /// Share of the change's energy at scales coarser than an 8x8 grid of cells: the
    /// energy of the cell means over the total. A bold form scores high, bands and specks
    /// (which average out within a cell) score low.
    static func coarseShare(_ d: (values: [Float], width: Int, height: Int), cells: Int = 8) -> Float {
        let mean = d.values.reduce(0, +) / Float(d.values.count)
        var total: Float = 0
        for v in d.values { total += (v - mean) * (v - mean) }
        var coarse: Float = 0
        for cy in 0..<cells {
            for cx in 0..<cells {
                let x0 = cx * d.width / cells, x1 = (cx + 1) * d.width / cells
                let y0 = cy * d.height / cells, y1 = (cy + 1) * d.height / cells
                var sum: Float = 0
                for y in y0..<y1 { for x in x0..<x1 { sum += d.values[y * d.width + x] - mean } }
                let n = Float((x1 - x0) * (y1 - y0))
                coarse += sum * sum / n
            }
        }
        return coarse / max(total, 1e-12)
    }

    static let ghostPhotos = ["flower.jpg", "chelsea.png", "china.jpg"]

    func photo(_ name: String, width: Int = 150) throws -> Image {
        let image = try Image(contentsOf: repositoryRoot + "/samples/" + name)
        return Resampler(kernel: .bicubic, edge: .renormalize)
            .resample(image, width: width, height: width * image.height / image.width).clamped()
    }

    /// On 3 photos and 3 maps the ghost's change is a bold form: over 55% of its energy
    /// sits in the coarse 8x8 cell means (measured 0.61-0.79) and it reaches the strength.
    /// The ghost of presets v2 before smoothing (strength 0.8, raw gradient steps) made
    /// bands and blobs: measured 0.37-0.53 on the previous model, 0.34-0.62 on today's.
    @Test(arguments: [56, 17, 77])
    func ghostIsOneBoldForm(map: Int) throws {
        var settings = try preset("ghost")
        settings.maps = [map]
        var old = settings
        old.smoothing = 0
        old.strength = 0.8
        var shares: [Float] = [], oldShares: [Float] = []
        for name in Self.ghostPhotos {
            let photo = try photo(name)
            let out = try renderer.render(photo, settings: settings).image
            let share = Self.coarseShare(Self.change(out, photo))
            let oldShare = Self.coarseShare(Self.change(try renderer.render(photo, settings: old).image, photo))
            shares.append(share)
            oldShares.append(oldShare)
            print("ghost map \(map) on \(name): coarse share \(share) (before: \(oldShare))")
            #expect(share > 0.55, "map \(map) on \(name): only \(share) of the change is a coarse form")
            #expect(StrengthAndRangeTests.strength(out, photo) > 1.0, "map \(map) on \(name) is faint")
        }
        // The control: on every photo the old settings leave a clearly smaller share (on the
        // retrained model: 0.34-0.62 against 0.67-0.85, at least 0.2 apart).
        for (share, oldShare) in zip(shares, oldShares) {
            #expect(share > oldShare + 0.1, "map \(map): \(shares) against the old settings' \(oldShares)")
        }
    }

    /// A photo half flat sky (a faint gradient) and half edges (rings): where tiles puts
    /// its change in the flat half.
    static func skyAndRings(width: Int = 240, height: Int = 160) -> Image {
        var image = Image(width: width, height: height, channels: 3)
        for y in 0..<height {
            for x in 0..<width {
                let fy = Float(y) / Float(height)
                var v = 0.35 + 0.25 * fy
                if x >= width / 2 {
                    let dx = Float(x - 3 * width / 4), dy = Float(y - height / 2)
                    v = sin((dx * dx + dy * dy).squareRoot() * 0.35) > 0 ? 0.8 : 0.2
                }
                image[x, y, 0] = v * 0.8
                image[x, y, 1] = v * 0.9
                image[x, y, 2] = v
            }
        }
        return image
    }

    /// In the flat half: the change's RMS relative to the edge half's, and the share of its
    /// pixels that belong to a stroke (|change| above half the whole change's RMS).
    static func flatStatistics(_ d: (values: [Float], width: Int, height: Int)) -> (ratio: Float, covered: Float) {
        var flat: [Float] = [], edges: [Float] = []
        for y in 4..<(d.height - 4) {
            for x in 4..<(d.width - 4) where x < d.width / 2 - 8 || x >= d.width / 2 + 8 {
                (x < d.width / 2
                    ? { flat.append(d.values[y * d.width + x]) } : { edges.append(d.values[y * d.width + x]) })()
            }
        }
        func rms(_ v: [Float]) -> Float { (v.map { $0 * $0 }.reduce(0, +) / Float(v.count)).squareRoot() }
        let threshold = 0.5 * rms(flat + edges)
        let covered = Float(flat.filter { abs($0) > threshold }.count) / Float(flat.count)
        return (rms(flat) / rms(edges), covered)
    }

    /// Tiles dreams the flat sky as much as the rings: strokes cover over 40% of the flat
    /// half and its change is over 0.6 of the edges' (measured: 66%, 2.0). Before
    /// tileBalance and smoothing the sky got a sprinkle of specks (25% covered, 0.43).
    @Test func tilesGrowStrokesInFlatAreas() throws {
        let photo = Self.skyAndRings()
        let settings = try preset("tiles")
        var old = settings
        old.smoothing = 0
        old.tileBalance = 0
        let now = Self.flatStatistics(Self.change(try renderer.render(photo, settings: settings).image, photo))
        let before = Self.flatStatistics(Self.change(try renderer.render(photo, settings: old).image, photo))
        print("tiles flat half: ratio \(now.ratio), covered \(now.covered) (before: \(before))")
        #expect(now.ratio > 0.6 && now.covered > 0.4, "\(now)")
        // The control, photo against itself: without them the flat half gets a third of the
        // change and half the coverage (retrained model: ratio 0.71 and 38% against 2.0 and 73%).
        #expect(now.ratio > 2 * before.ratio && now.covered > before.covered + 0.2, "control \(before)")
    }

    /// The blur against a direct 2-D sum with the same cut-and-renormalised kernel.
    @Test func gaussianBlurMatchesDirectSum() {
        var generator = SeededGenerator(seed: 5)
        let w = 13, h = 9, sigma: Float = 1.3
        let plane = (0..<(w * h)).map { _ in Float.random(in: -1...1, using: &generator) }
        var blurred = plane
        var scratch = [Float](repeating: 0, count: w * h)
        let blur = GaussianBlur(sigma: sigma)
        blurred.withUnsafeMutableBufferPointer { p in
            scratch.withUnsafeMutableBufferPointer { s in
                blur.apply(p.baseAddress!, width: w, height: h, scratch: s.baseAddress!)
            }
        }
        let r = blur.radius
        #expect(r == 4)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0.0, weight = 0.0
                for yy in max(0, y - r)...min(h - 1, y + r) {
                    for xx in max(0, x - r)...min(w - 1, x + r) {
                        let d2 = Double((xx - x) * (xx - x) + (yy - y) * (yy - y))
                        let k = exp(-d2 / (2 * Double(sigma * sigma)))
                        sum += k * Double(plane[yy * w + xx])
                        weight += k
                    }
                }
                #expect(abs(Double(blurred[y * w + x]) - sum / weight) < 1e-5)
            }
        }
        // A constant plane stays constant, edges included.
        var flat = [Float](repeating: 0.7, count: w * h)
        flat.withUnsafeMutableBufferPointer { p in
            scratch.withUnsafeMutableBufferPointer { s in
                blur.apply(p.baseAddress!, width: w, height: h, scratch: s.baseAddress!)
            }
        }
        #expect(flat.allSatisfy { abs($0 - 0.7) < 1e-6 })
    }
}
