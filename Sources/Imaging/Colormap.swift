/// Matplotlib's colormaps as exact 256-entry lookup tables.
public enum Colormap: String, Sendable, CaseIterable, Codable {
    /// Perceptually uniform blue-green-yellow; the seed's OIP pictures.
    case viridis
    /// Rainbow blue-red; the seed's activation grids.
    case jet
    /// Perceptually uniform black-red-yellow.
    case inferno
    /// Perceptually uniform black-purple-white.
    case magma
    /// Black to white.
    case gray

    var table: [Float] {
        switch self {
        case .viridis: Colormap.viridisTable
        case .jet: Colormap.jetTable
        case .inferno: Colormap.infernoTable
        case .magma: Colormap.magmaTable
        case .gray: Colormap.grayTable
        }
    }

    /// The RGB color of `value` after mapping [low, high] onto the table (clamped).
    public func color(_ value: Float, low: Float = 0, high: Float = 1) -> (Float, Float, Float) {
        let t = high > low ? (value - low) / (high - low) : 0
        // matplotlib picks the bin floor(t * N), with 1.0 in the last bin
        let index = t.isNaN ? 0 : min(max(Int(t * 256), 0), 255)
        let table = self.table
        return (table[3 * index], table[3 * index + 1], table[3 * index + 2])
    }

    /// A network pattern as a picture: one-channel values through the map, a colour
    /// model's RGB pattern as it is (its colours are what it dreams in).
    public func picture(of image: Image, low: Float? = nil, high: Float? = nil) -> Image {
        image.channels == 3 ? image.clamped() : apply(to: image, low: low, high: high)
    }

    /// A one-channel image mapped to RGB; by default its own min and max span the table.
    public func apply(to image: Image, low: Float? = nil, high: Float? = nil) -> Image {
        let plane = image.plane(0)
        let lo = low ?? plane.pixels.min() ?? 0
        let hi = high ?? plane.pixels.max() ?? 1
        let n = plane.planeSize
        var rgb = [Float](repeating: 0, count: 3 * n)
        let table = self.table
        let scale: Float = hi > lo ? 256 / (hi - lo) : 0
        for i in 0..<n {
            let t = (plane.pixels[i] - lo) * scale
            let index = t.isNaN ? 0 : min(max(Int(t), 0), 255)
            rgb[i] = table[3 * index]
            rgb[n + i] = table[3 * index + 1]
            rgb[2 * n + i] = table[3 * index + 2]
        }
        return Image(width: image.width, height: image.height, channels: 3, pixels: rgb)
    }
}
