import Imaging
import NeuralNet
import Resampling

/// What the network sees of a photo.
public enum NetworkView {
    /// The bicubic downscale of the photo's luminance (its RGB for a three-channel input)
    /// to the network's input size (squeezed, as in the recipe).
    public static func downscale(_ photo: Image, to input: FeatureShape, invert: Bool = false) -> Image {
        let source =
            input.channels == 3 && photo.colorChannels == 3
            ? Image(planes: (0..<3).map { photo.plane($0) }) : ColorSpace.luma(of: photo)
        var view = source.resized(width: input.width, height: input.height)
        if invert { view.pixels = view.pixels.map { 1 - $0 } }
        return view.clamped()
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
