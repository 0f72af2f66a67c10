import Imaging
import Testing

@testable import Dreaming

/// `finish`'s one-pass colouring (join, fitGamut, clamp, with invert) gives exactly the
/// floats of those steps one after another, over the photo's planes or into new ones.
@Suite struct PhotoColorsTests {
    /// A dream's luma that leaves the gamut both ways (so fitGamut and clamp both act).
    private func dreamLuma(width: Int, height: Int) -> Image {
        Image(
            width: width, height: height,
            pixels: (0..<width * height).map { Float(($0 * 4_111) % 1000) / 999 * 1.6 - 0.3 })
    }

    private func photo(channels: Int, width: Int, height: Int) -> Image {
        Image(
            width: width, height: height, channels: channels,
            pixels: (0..<width * height * channels).map { Float(($0 * 7_919) % 1000) / 999 })
    }

    /// The steps as they were before they were fused.
    private func separateSteps(luma: Image, photo: Image, invert: Bool, soft: Bool) -> Image {
        var luma = luma
        if invert { luma.pixels = luma.pixels.map { 1 - $0 } }
        var parts = ColorSpace.split(photo)
        parts.luma = luma
        var result = ColorSpace.join(parts)
        if soft { DreamRenderer.fitGamut(&result, luma: luma) }
        result.clamp()
        return result
    }

    @Test(arguments: [(3, 7, 5), (4, 7, 5), (3, 301, 227), (4, 263, 257)])
    func oneColoringPassMatchesTheSteps(channels: Int, width: Int, height: Int) {
        let photo = photo(channels: channels, width: width, height: height)
        let luma = dreamLuma(width: width, height: height)
        // fitGamut acts on these pixels (it moves some away from what a clamp gives).
        #expect(
            separateSteps(luma: luma, photo: photo, invert: false, soft: true)
                != separateSteps(luma: luma, photo: photo, invert: false, soft: false))
        for invert in [false, true] {
            for soft in [false, true] {
                let expected = separateSteps(luma: luma, photo: photo, invert: invert, soft: soft)
                #expect(expected.pixels.contains { $0 == 0 } && expected.pixels.contains { $0 == 1 })
                for workers in [1, 2, 3] {
                    let planes = PhotoColors.planes(ColorSpace.split(photo))
                    let fresh = planes.colored(luma: luma, invert: invert, fitsGamut: soft, workers: workers)
                    #expect(fresh == expected)
                    var packed = photo
                    _ = ColorSpace.splitInPlace(&packed, workers: workers)
                    let over = PhotoColors.packed(packed).colored(
                        luma: luma, invert: invert, fitsGamut: soft, workers: workers)
                    #expect(over == expected)
                }
            }
        }
    }

    /// fitGamut keeps the luminance the dream gave a pixel while clamping would not.
    @Test func fitGamutKeepsLuminance() {
        var image = Image(width: 1, height: 1, channels: 3, pixels: [1.4, 0.9, 0.2])
        let y: Float = 0.299 * 1.4 + 0.587 * 0.9 + 0.114 * 0.2
        DreamRenderer.fitGamut(&image, luma: Image(width: 1, height: 1, pixels: [y]))
        #expect(abs(image.pixels[0] - 1) < 1e-6)
        let after = 0.299 * image.pixels[0] + 0.587 * image.pixels[1] + 0.114 * image.pixels[2]
        #expect(abs(after - y) < 1e-5)
    }

    /// `finish` on a gray photo (gray output) and on a photo with alpha keeps its old results.
    @Test func finishKeepsGrayAndAlpha() {
        let settings = DreamSettings()
        let luma = dreamLuma(width: 31, height: 17)
        for channels in [1, 2] {
            var gray = photo(channels: channels, width: 31, height: 17)
            _ = ColorSpace.splitInPlace(&gray)
            let result = DreamRenderer.finish(luma, parts: .packed(gray), settings: settings, gray: true)
            var expected = channels == 2 ? Image(planes: [luma, gray.plane(1)]) : luma
            expected.clamp()
            #expect(result == expected)
        }
    }
}
