import Imaging
import Resampling

/// The seed's row of intermediate pictures, side by side at one height, each named in a
/// caption line above it; the photo's panels at most four times as wide as high (a
/// panorama's panels get lower instead).
enum StageStrip {
    /// The captions; the first names the pattern's size (the network's input).
    static func names(pattern: Image) -> [String] {
        [
            "\(pattern.width)×\(pattern.height) pattern", "pattern, gray", "upscaled", "detail re-added",
            "range adjusted",
        ]
    }
    static let captionScale = 2
    /// Height of the caption line above the panels.
    static var captionHeight: Int { BitmapFont.height(scale: captionScale) + 8 }

    /// Panels are `height` pixels tall; the strip adds the caption line on top.
    static func make(pattern: Image, upscaled: Image, withDetail: Image, adjusted: Image, height: Int = 240) -> Image {
        let square = height
        // A colour model's pattern: viridis of its luma, then the pattern in its own colours.
        let patternViridis = Colormap.viridis.apply(to: ColorSpace.luma(of: pattern)).resized(
            width: square, height: square, kernel: .nearest)
        let patternGray = (pattern.channels == 3 ? pattern.clamped() : Colormap.gray.apply(to: pattern))
            .resized(width: square, height: square, kernel: .nearest)
        let size = FittedSize(width: upscaled.width, height: upscaled.height, maxWidth: 4 * height, maxHeight: height)
        func gray(_ image: Image) -> Image {
            if image.channels == 3 { return image.clamped().resized(width: size.width, height: size.height).clamped() }
            let plane = image.clamped().resized(width: size.width, height: size.height)
            return Image(planes: [plane, plane, plane]).clamped()
        }
        let panels = [patternViridis, patternGray, gray(upscaled), gray(withDetail), gray(adjusted)]
        let gap = 6
        let top = captionHeight
        let total = panels.map(\.width).reduce(0, +) + gap * (panels.count - 1)
        var strip = Image(width: total, height: top + height, channels: 3, value: 1)
        var x0 = 0
        for (panel, name) in zip(panels, names(pattern: pattern)) {
            for c in 0..<3 {
                for y in 0..<panel.height {
                    for x in 0..<panel.width { strip[x0 + x, top + y, c] = panel[x, y, c] }
                }
            }
            // A name wider than its panel drops to scale 1 rather than run into the next one.
            let scale = BitmapFont.width(of: name, scale: captionScale) <= panel.width ? captionScale : 1
            BitmapFont.draw(
                centered: name, into: &strip, centerX: x0 + panel.width / 2,
                y: (top - BitmapFont.height(scale: scale)) / 2, scale: scale, color: (0.1, 0.1, 0.1))
            x0 += panel.width + gap
        }
        return strip
    }
}
