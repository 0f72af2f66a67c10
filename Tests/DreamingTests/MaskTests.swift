import Foundation
import Imaging
import NeuralNet
import Resampling
import TestSupport
import Testing

@testable import Dreaming

/// `--mask`: black keeps the photo's bytes, white takes the dream, gray blends linearly.
@Suite struct MaskTests {
    /// A photo file (PNG or JPEG) and a same-sized mask: black on the left third, white on
    /// the right third, a ramp between.
    func fixture(format: String = "png", width: Int = 120, height: Int = 96) throws -> (
        folder: String, photo: String, mask: String
    ) {
        let folder = try temporaryFolder()
        let photo = folder + "/photo." + format
        try syntheticPhoto(width: width, height: height).write(to: photo)
        var mask = Image(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                mask[x, y] = min(max(Float(x - width / 3) / Float(width / 3), 0), 1)
            }
        }
        try mask.write(to: folder + "/mask.png")
        return (folder, photo, folder + "/mask.png")
    }

    func render(
        _ photo: String, settings: DreamSettings, mask: String?, output: String
    ) throws -> Image {
        var request = FileRenderer.Request(input: photo, output: output, settings: settings)
        request.mask = mask
        _ = try FileRenderer(model: try bundledModel(), workers: 2).render(request)
        return try Image(contentsOf: output)
    }

    /// Every bundled preset (all four modes among them), from a PNG and from a JPEG: under
    /// black the written PNG holds the decoded photo's exact values; under white the dream
    /// changed the photo (so the equality is not a dream that did nothing).
    @Test(.tags(.slow), arguments: ["png", "jpg"])
    func blackKeepsThePhotosBytesInEveryPreset(format: String) throws {
        let f = try fixture(format: format)
        let photo = try Image(contentsOf: f.photo)
        let mask = try Image(contentsOf: f.mask)
        let presets = PresetLibrary(directories: [repositoryRoot + "/presets"])
        let names = presets.names()
        #expect(Set(names).isSuperset(of: ["ghost", "tiles", "conv", "mixed", "fours"]))
        var modes = Set<DreamSettings.Mode>()
        for name in names {
            var settings = try presets.load(name).settings
            settings.steps = min(settings.steps, 6)
            settings.loops = min(settings.loops, 2)
            modes.insert(settings.mode)
            let out = try render(f.photo, settings: settings, mask: f.mask, output: f.folder + "/\(name).png")
            #expect(out.channels == photo.channels, "\(name)")
            var kept = 0
            var changed: Float = 0
            for y in 0..<photo.height {
                for x in 0..<photo.width {
                    for c in 0..<photo.channels {
                        if mask[x, y] == 0 {
                            if out[x, y, c] == photo[x, y, c] { kept += 1 }
                        } else if mask[x, y] == 1 {
                            changed = max(changed, abs(out[x, y, c] - photo[x, y, c]))
                        }
                    }
                }
            }
            let black = mask.pixels.filter { $0 == 0 }.count * photo.channels
            #expect(black > 0 && kept == black, "\(name): \(black - kept) of \(black) samples under black changed")
            #expect(changed > 0.05, "\(name): the dream changed the white part by at most \(changed)")
        }
        #expect(modes == Set(DreamSettings.Mode.allCases))
    }

    /// A 50% gray mask gives the midpoint of the unmasked dream and the photo, within the
    /// rounding of 8-bit samples (128/255 is not exactly a half: 0.2% of the change).
    @Test func grayGivesTheMidpoint() throws {
        let f = try fixture()
        try Image(width: 120, height: 96, value: 128.0 / 255).write(to: f.mask)
        var settings = DreamSettings()
        settings.steps = 6
        settings.loops = 2
        let dream = try render(f.photo, settings: settings, mask: nil, output: f.folder + "/dream.png")
        let half = try render(f.photo, settings: settings, mask: f.mask, output: f.folder + "/half.png")
        let photo = try Image(contentsOf: f.photo)
        #expect(dream.channels == photo.channels)
        var worst: Float = 0
        var change: Float = 0
        for i in photo.pixels.indices {
            let d = dream.pixels[i]
            worst = max(worst, abs(half.pixels[i] - (photo.pixels[i] + d) / 2))
            change = max(change, abs(d - photo.pixels[i]))
        }
        #expect(change > 0.1, "the dream must move for the midpoint to mean something: \(change)")
        #expect(worst <= 1.5 / 255, "worst distance from the midpoint \(worst * 255)/255")
    }

    /// A mask of another size is resized with the project's bicubic resampler, clamped.
    @Test func maskOfAnotherSizeIsResizedBicubic() {
        var small = Image(width: 10, height: 8)
        for i in small.pixels.indices { small.pixels[i] = i % 3 == 0 ? 1 : 0 }
        let fitted = DreamMask(small).fitted(width: 37, height: 29)
        let expected = Resampler(kernel: .bicubic).resample(small, width: 37, height: 29)
        #expect(fitted.weights.width == 37 && fitted.weights.height == 29)
        #expect(zip(fitted.weights.pixels, expected.pixels).allSatisfy { $0 == min(max($1, 0), 1) })
        #expect(expected.pixels.contains { $0 < 0 || $0 > 1 }, "the case must exercise the clamp")
    }

    /// Colour masks count by their luma; the blend is linear in the weight.
    @Test func colourMaskUsesLumaAndBlendIsLinear() {
        let rgb = Image(width: 1, height: 1, channels: 3, pixels: [1, 0, 0])
        let mask = DreamMask(rgb)
        #expect(abs(mask.weights.pixels[0] - 0.299) < 1e-6)
        let photo = Image(width: 1, height: 1, channels: 3, pixels: [0.2, 0.4, 0.6])
        let dream = Image(width: 1, height: 1, channels: 3, pixels: [1, 0, 0.6])
        let out = mask.blend(dream: dream, photo: photo)
        for c in 0..<3 {
            let expected = photo.pixels[c] + 0.299 * (dream.pixels[c] - photo.pixels[c])
            #expect(abs(out.pixels[c] - expected) < 1e-6)
        }
    }

    /// A mask that cannot be read stops the render with one line naming the file.
    @Test func unreadableMaskIsOneLineNamingTheFile() throws {
        let f = try fixture()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: f.folder + "/bad.png"))
        for bad in [f.folder + "/bad.png", f.folder + "/missing.png", f.folder] {
            do {
                _ = try render(f.photo, settings: DreamSettings(), mask: bad, output: f.folder + "/out.png")
                Issue.record("\(bad) was accepted as a mask")
            } catch {
                let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                #expect(message.hasPrefix(bad + ": cannot use it as a mask"), "\(message)")
                #expect(!message.contains("\n"))
            }
            #expect(!FileManager.default.fileExists(atPath: f.folder + "/out.png"))
        }
    }
}
