import Imaging
import Testing

/// Samples in [0, 1] with no structure the coefficients could hide behind.
private func scrambled(channels: Int, width: Int, height: Int) -> Image {
    let count = width * height * channels
    return Image(
        width: width, height: height, channels: channels,
        pixels: (0..<count).map { Float(($0 * 7919) % 1000) / 999 })
}

/// The in-place split and the luma-only path give `split`'s floats exactly: a render that
/// used them would otherwise change its output bytes.
@Suite struct ColorSpaceInPlaceTests {
    // Odd sizes, one band and several (65,536 pixels a band), every channel count.
    @Test(arguments: [(1, 7, 5), (2, 7, 5), (3, 7, 5), (4, 7, 5), (3, 301, 227), (4, 263, 257)])
    func splitInPlaceMatchesSplit(channels: Int, width: Int, height: Int) {
        let photo = scrambled(channels: channels, width: width, height: height)
        let parts = ColorSpace.split(photo)
        for workers in [1, 2, 3] {
            var planes = photo
            let luma = ColorSpace.splitInPlace(&planes, workers: workers)
            #expect(luma == parts.luma)
            #expect(planes.channels == photo.channels)
            if photo.colorChannels == 1 {
                #expect(planes == photo)
            } else {
                #expect(planes.plane(0) == parts.luma)
                #expect(planes.plane(1) == parts.cb)
                #expect(planes.plane(2) == parts.cr)
            }
            #expect(photo.hasAlpha == (parts.alpha != nil))
            if let alpha = parts.alpha { #expect(planes.plane(planes.channels - 1) == alpha) }
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func lumaOfMatchesSplit(channels: Int) {
        let photo = scrambled(channels: channels, width: 263, height: 257)
        #expect(ColorSpace.luma(of: photo) == ColorSpace.split(photo).luma)
        #expect(ColorSpace.luma(of: photo, workers: 3) == ColorSpace.split(photo).luma)
    }

    /// A copy shares the photo's storage: splitting one in place leaves the other as it was.
    @Test func splitInPlaceLeavesCopiesAlone() {
        let photo = scrambled(channels: 3, width: 9, height: 4)
        var planes = photo
        _ = ColorSpace.splitInPlace(&planes)
        #expect(photo == scrambled(channels: 3, width: 9, height: 4))
        #expect(planes != photo)
    }
}
