import Foundation
import Imaging
import NeuralNet
import Resampling
import TestSupport
import Testing

@testable import Dreaming

/// Seamless dreams tile: their opposite edges join like neighbouring columns do.
@Suite struct SeamlessTests {
    /// Mean absolute difference between neighbouring columns (rows with `transposed`):
    /// every interior pair, and the pair across the wrap (last, first).
    static func joins(_ image: Image, transposed: Bool) -> (interior: [Float], wrap: Float) {
        let w = transposed ? image.height : image.width, h = transposed ? image.width : image.height
        func value(_ column: Int, _ row: Int) -> Float { transposed ? image[row, column] : image[column, row] }
        func join(_ a: Int, _ b: Int) -> Float {
            (0..<h).map { abs(value(a, $0) - value(b, $0)) }.reduce(0, +) / Float(h)
        }
        return ((0..<(w - 1)).map { join($0, $0 + 1) }, join(w - 1, 0))
    }

    /// Whether both wraps fall within the range of the interior joins.
    static func tiles(_ image: Image) -> (Bool, String) {
        var ok = true
        var report = ""
        for transposed in [false, true] {
            let (interior, wrap) = joins(image, transposed: transposed)
            let range = interior.min()!...interior.max()!
            ok = ok && range.contains(wrap)
            let sorted = interior.sorted()
            let rank = Float(sorted.filter { $0 < wrap }.count) / Float(sorted.count)
            report += String(
                format: "%@ wrap %.4f interior %.4f...%.4f, rank %.2f; ", transposed ? "rows" : "columns", wrap,
                range.lowerBound, range.upperBound, rank)
        }
        return (ok, report)
    }

    /// The texture preset on noise tiles; the same settings without `seamless` do not
    /// (so the check can fail). Fewer steps and a smaller image than the preset's use.
    @Test(.tags(.slow)) func texturePresetTilesAndPlainRenderDoesNot() throws {
        let renderer = DreamRenderer(model: try bundledModel(), workers: 2)
        var settings = try PresetLibrary(directories: [repositoryRoot + "/presets"]).load("texture").settings
        #expect(settings.seamless)
        settings.octaves = 2
        settings.steps = 10
        for seamless in [true, false] {
            settings.seamless = seamless
            let noise = NoiseInput.image(width: 112, height: 96, seed: settings.seed, seamless: seamless)
            let out = try renderer.render(noise, settings: settings).image
            let (ok, report) = Self.tiles(out)
            #expect(ok == seamless, "seamless \(seamless): \(report)")
        }
    }

    /// Each mode keeps periodic noise periodic when seamless. (On periodic noise a plain
    /// render often passes this loose check too, its edge effects being mild at this size:
    /// the texture test above is the one that shows the check can fail.)
    @Test(.tags(.slow), arguments: DreamSettings.Mode.allCases)
    func everyModeWraps(mode: DreamSettings.Mode) throws {
        let renderer = DreamRenderer(model: try bundledModel(), workers: 2)
        var settings = DreamSettings()
        settings.mode = mode
        settings.color = .gray
        settings.strength = 3
        settings.steps = 10
        settings.loops = 2
        if mode == .conv {
            settings.maps = []
            settings.layers = ["conv2": 1]
        }
        settings.seamless = true
        let noise = NoiseInput.image(width: 84, height: 84, seed: 3, seamless: true)
        let out = try renderer.render(noise, settings: settings).image
        let (ok, report) = Self.tiles(out)
        #expect(ok, "\(mode): \(report)")
    }

    /// Wrapping resampling commutes with whole-pixel rolls: rolling the input by one pixel
    /// rolls a 3x upscale by three (Pillow's edges do not: the border differs).
    @Test func wrapResamplingCommutesWithRolls() {
        var generator = SeededGenerator(seed: 5)
        let small = Image(
            width: 8, height: 6, pixels: (0..<48).map { _ in Float.random(in: 0...1, using: &generator) })
        func roll(_ image: Image, _ dx: Int) -> Image {
            var out = image
            for y in 0..<image.height {
                for x in 0..<image.width { out[(x + dx) % image.width, y] = image[x, y] }
            }
            return out
        }
        for (edge, commutes) in [(EdgeMode.wrap, true), (.renormalize, false)] {
            let resampler = Resampler(kernel: .bicubic, edge: edge)
            let a = resampler.resample(roll(small, 1), width: 24, height: 18)
            let b = roll(resampler.resample(small, width: 24, height: 18), 3)
            #expect((maxDifference(a, b) < 1e-5) == commutes, "\(edge): \(maxDifference(a, b))")
        }
    }

    @Test func noiseInputs() {
        #expect(NoiseInput.size(of: "noise:512x256")! == (512, 256))
        #expect(NoiseInput.size(of: "noise:300")! == (300, 300))
        for bad in ["noise:", "noise:0x10", "noise:12x", "noise:5x5", "noise:99999", "noise.png", "noise:1x2x3"] {
            #expect(NoiseInput.size(of: bad) == nil, "\(bad)")
        }
        let a = NoiseInput.image(width: 64, height: 40, seed: 2, seamless: true)
        #expect(a == NoiseInput.image(width: 64, height: 40, seed: 2, seamless: true))
        #expect(a != NoiseInput.image(width: 64, height: 40, seed: 3, seamless: true))
        let (ok, report) = Self.tiles(a)
        #expect(ok, "seamless noise: \(report)")
        #expect(!Self.tiles(NoiseInput.image(width: 64, height: 40, seed: 2, seamless: false)).0)
    }
}
