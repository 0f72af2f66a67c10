import Imaging
import NeuralNet
import Resampling

/// What the network sees of a photo.
public enum NetworkView {
    /// The bicubic downscale of the photo's luminance (its RGB for a three-channel input,
    /// a gray photo's luminance in every plane) to the network's input size (squeezed, as
    /// in the recipe).
    public static func downscale(_ photo: Image, to input: FeatureShape, invert: Bool = false) -> Image {
        let source: Image
        if input.channels == 3 {
            let planes =
                photo.colorChannels == 3
                ? (0..<3).map { photo.plane($0) } : [Image](repeating: photo.plane(0), count: 3)
            source = Image(planes: planes)
        } else {
            source = ColorSpace.luma(of: photo)
        }
        var view = source.resized(width: input.width, height: input.height)
        if invert { view.pixels = view.pixels.map { 1 - $0 } }
        return view.clamped()
    }

    /// An image's values as the network takes them: channels interleaved (`Image` keeps
    /// planes).
    public static func interleaved(_ image: Image) -> [Float] {
        let c = image.channels
        guard c > 1 else { return image.pixels }
        let n = image.planeSize
        var out = [Float](repeating: 0, count: n * c)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n { for k in 0..<c { out[i * c + k] = p[k * n + i] } }
        }
        return out
    }

    /// The photo's luminance with the grid of input-sized tiles drawn over it (grid lines
    /// in red).
    public static func tiles(_ photo: Image, tileSize: Int, invert: Bool = false, overlap: Int = 0) -> Image {
        var luma = ColorSpace.luma(of: photo)
        if invert { luma.pixels = luma.pixels.map { 1 - $0 } }
        var out = Image(planes: [luma, luma, luma])
        let grid = TileGrid(imageWidth: luma.width, imageHeight: luma.height, tileSize: tileSize, overlap: overlap)
        func mark(_ x: Int, _ y: Int) {
            guard x >= 0, y >= 0, x < out.width, y < out.height else { return }
            out[x, y, 0] = 1
            out[x, y, 1] = 0.1
            out[x, y, 2] = 0.1
        }
        for x0 in grid.columnStarts { for y in 0..<out.height { mark(x0, y) } }
        for y0 in grid.rowStarts { for x in 0..<out.width { mark(x, y0) } }
        return out
    }
}
