import Foundation
import Imaging
import TestSupport
import Testing

@testable import Dreaming

/// The stage strip names its stages above the panels.
@Suite struct StageStripTests {
    @Test func stageStripNamesItsStages() {
        let pattern = Image(width: 28, height: 28, pixels: (0..<784).map { Float($0 % 28) / 27 })
        let photo = syntheticPhoto(width: 120, height: 80, channels: 1)
        let strip = StageStrip.make(pattern: pattern, upscaled: photo, withDetail: photo, adjusted: photo, height: 120)
        #expect(strip.height == 120 + StageStrip.captionHeight)
        // Panels: two squares of 120, three of 180 (the photo's aspect), gaps of 6.
        let widths = [120, 120, 180, 180, 180]
        var x0 = 0
        for (width, name) in zip(widths, StageStrip.names(pattern: pattern)) {
            let scale = BitmapFont.width(of: name, scale: 2) <= width ? 2 : 1
            let x = x0 + width / 2 - BitmapFont.width(of: name, scale: scale) / 2
            let y = (StageStrip.captionHeight - BitmapFont.height(scale: scale)) / 2
            #expect(textIsDrawn(name, in: strip, x: x, y: y, scale: scale, ink: (0.1, 0.1, 0.1)), "\(name)")
            x0 += width + 6
        }
        #expect(x0 - 6 == strip.width)
    }

}
