import Imaging
import Resampling

/// The seed's row of intermediate pictures, side by side at one height; the photo's panels
/// at most four times as wide as high (a panorama's panels get lower instead).
enum StageStrip {
    static func make(pattern: Image, upscaled: Image, withDetail: Image, adjusted: Image, height: Int = 240) -> Image {
        let square = height
        let patternViridis = Colormap.viridis.apply(to: pattern).resized(
            width: square, height: square, kernel: .nearest)
        let patternGray = Colormap.gray.apply(to: pattern).resized(width: square, height: square, kernel: .nearest)
        let size = FittedSize(width: upscaled.width, height: upscaled.height, maxWidth: 4 * height, maxHeight: height)
        func gray(_ image: Image) -> Image {
            let plane = image.clamped().resized(width: size.width, height: size.height)
            return Image(planes: [plane, plane, plane]).clamped()
        }
        let panels = [patternViridis, patternGray, gray(upscaled), gray(withDetail), gray(adjusted)]
        let gap = 6
        let total = panels.map(\.width).reduce(0, +) + gap * (panels.count - 1)
        var strip = Image(width: total, height: height, channels: 3, value: 1)
        var x0 = 0
        for panel in panels {
            for c in 0..<3 {
                for y in 0..<panel.height {
                    for x in 0..<panel.width { strip[x0 + x, y, c] = panel[x, y, c] }
                }
            }
            x0 += panel.width + gap
        }
        return strip
    }
}
