import Imaging

// Pixel checks for labels drawn with BitmapFont.

/// Whether `text` is drawn at (x, y) in `image` with `scale` and `ink`: every ink pixel
/// of the text, rendered alone, has exactly that color in the image.
public func textIsDrawn(
    _ text: String, in image: Image, x: Int, y: Int, scale: Int, ink: (Float, Float, Float)
) -> Bool {
    var reference = Image(
        width: BitmapFont.width(of: text, scale: scale), height: BitmapFont.height(scale: scale), channels: 3,
        value: -1)
    BitmapFont.draw(text, into: &reference, x: 0, y: 0, scale: scale, color: ink)
    var inkPixels = 0
    for ry in 0..<reference.height {
        for rx in 0..<reference.width where reference[rx, ry, 0] >= 0 {
            inkPixels += 1
            guard x + rx < image.width, y + ry < image.height, x + rx >= 0, y + ry >= 0 else { return false }
            for c in 0..<3 where abs(image[x + rx, y + ry, c] - reference[rx, ry, c]) > 1e-6 { return false }
        }
    }
    return inkPixels > 0
}

/// Pixels in the rectangle whose red channel differs from `background` by more than 0.2.
public func inkCount(_ image: Image, x: Range<Int>, y: Range<Int>, differingFrom background: Float) -> Int {
    var count = 0
    for yy in y { for xx in x where abs(image[xx, yy, 0] - background) > 0.2 { count += 1 } }
    return count
}
