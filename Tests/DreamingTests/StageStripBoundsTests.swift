import Imaging
import Testing

@testable import Dreaming

/// The stages strip of a panorama stays small: its photo panels fit 960x240 (a 400000x1
/// photo asked for a strip 96 million pixels wide).
@Suite struct StageStripBoundsTests {
    @Test func stripOfAPanoramaStaysSmall() {
        var wide = Image(width: 400_000, height: 1)
        for x in 0..<wide.width { wide.pixels[x] = Float(x % 100) / 99 }
        let pattern = Image(width: 28, height: 28, value: 0.5)
        let strip = StageStrip.make(pattern: pattern, upscaled: wide, withDetail: wide, adjusted: wide)
        // Two 240x240 squares, three panels of at most 960x240, four gaps of 6.
        // The caption line sits above the panels.
        let top = StageStrip.captionHeight
        #expect(strip.width == 2 * 240 + 3 * 960 + 4 * 6 && strip.height == top + 240)
        // The panel holds the panorama, squeezed to one row; below it stays white.
        #expect(abs(strip[2 * 246 + 480, top, 0] - 0.5) < 0.1)
        #expect(strip[2 * 246 + 480, top + 1, 0] == 1)
    }
}
