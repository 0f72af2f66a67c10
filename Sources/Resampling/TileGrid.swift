import Imaging

/// A cover of an image by square tiles (the network's input size), and the way back.
///
/// Tiles start at `-offset` and step by `tileSize - overlap`; pixels outside the image
/// are read by reflection. Reassembly blends overlapping tiles with a smooth window, so a
/// changed tile fades into its neighbours instead of leaving a seam.
public struct TileGrid: Sendable, Equatable {
    public let imageWidth: Int
    public let imageHeight: Int
    public let tileSize: Int
    public let overlap: Int
    public let offsetX: Int
    public let offsetY: Int
    /// Top-left corners of the tiles in image coordinates (may lie outside the image).
    public let columnStarts: TileStarts
    public let rowStarts: TileStarts

    public var stride: Int { tileSize - overlap }
    public var count: Int { columnStarts.count * rowStarts.count }

    /// `offsetX`, `offsetY` in 0..<stride shift the grid up-left, so seams move between steps.
    public init(
        imageWidth: Int, imageHeight: Int, tileSize: Int, overlap: Int = 0,
        offsetX: Int = 0, offsetY: Int = 0
    ) {
        precondition(imageWidth > 0 && imageHeight > 0 && tileSize > 0)
        precondition(overlap >= 0 && overlap < tileSize, "overlap must be below the tile size")
        let stride = tileSize - overlap
        precondition(
            (0..<stride).contains(offsetX) && (0..<stride).contains(offsetY), "offset must be within one stride")
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.tileSize = tileSize
        self.overlap = overlap
        self.offsetX = offsetX
        self.offsetY = offsetY
        // Tiles continue until one reaches the far edge: the k-th starts at k * stride - offset.
        func starts(_ size: Int, _ offset: Int) -> TileStarts {
            let beyondFirst = max(0, (size - tileSize + offset + stride - 1) / stride)
            return TileStarts(origin: -offset, step: stride, count: beyondFirst + 1)
        }
        columnStarts = starts(imageWidth, offsetX)
        rowStarts = starts(imageHeight, offsetY)
    }

    /// A grid with a random offset drawn from `generator`.
    public static func random<G: RandomNumberGenerator>(
        imageWidth: Int, imageHeight: Int, tileSize: Int,
        overlap: Int = 0, using generator: inout G
    ) -> TileGrid {
        let stride = tileSize - overlap
        return TileGrid(
            imageWidth: imageWidth, imageHeight: imageHeight, tileSize: tileSize, overlap: overlap,
            offsetX: Int.random(in: 0..<stride, using: &generator),
            offsetY: Int.random(in: 0..<stride, using: &generator))
    }

    /// Copies every tile of a one-channel image into `tiles` (count x tileSize x tileSize,
    /// row-major, tiles in row order).
    public func extract(from plane: Image, into tiles: UnsafeMutablePointer<Float>) {
        extract(from: plane, tiles: 0..<count, into: tiles)
    }

    /// Copies the tiles with indices in `range` (row order) into `tiles`, the first at 0:
    /// a large image's tiles go through the network a group at a time.
    public func extract(from plane: Image, tiles range: Range<Int>, into tiles: UnsafeMutablePointer<Float>) {
        precondition(plane.width == imageWidth && plane.height == imageHeight)
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let t = tileSize
        plane.pixels.withUnsafeBufferPointer { src in
            for tile in range {
                let y0 = rowStarts[tile / columnStarts.count], x0 = columnStarts[tile % columnStarts.count]
                let base = tiles + (tile - range.lowerBound) * t * t
                for dy in 0..<t {
                    let sy = EdgeMode.reflect(y0 + dy, count: imageHeight)
                    let row = src.baseAddress! + sy * imageWidth
                    let out = base + dy * t
                    if x0 >= 0 && x0 + t <= imageWidth {
                        out.update(from: row + x0, count: t)
                    } else {
                        for dx in 0..<t { out[dx] = row[EdgeMode.reflect(x0 + dx, count: imageWidth)] }
                    }
                }
            }
        }
    }

    public func extract(from plane: Image) -> [Float] {
        var tiles = [Float](repeating: 0, count: count * tileSize * tileSize)
        tiles.withUnsafeMutableBufferPointer { extract(from: plane, into: $0.baseAddress!) }
        return tiles
    }

    /// Blends tiles back into a one-channel image: each pixel is the window-weighted mean
    /// of the tile pixels that cover it (parts of tiles outside the image are dropped).
    public func assemble(_ tiles: UnsafePointer<Float>, into plane: inout Image) {
        precondition(plane.width == imageWidth && plane.height == imageHeight && plane.channels == 1)
        var weightSum = [Float](repeating: 0, count: imageWidth * imageHeight)
        plane.pixels.withUnsafeMutableBufferPointer { dst in
            weightSum.withUnsafeMutableBufferPointer { wsum in
                dst.update(repeating: 0)
                accumulate(tiles, tiles: 0..<count, into: dst.baseAddress!, weights: wsum.baseAddress!)
                for i in 0..<dst.count { dst[i] /= wsum[i] }
            }
        }
    }

    /// Adds the window-weighted tiles with indices in `range` (the first at `tiles`) into
    /// `sum`, and their window weights into `weights` (both image-sized): after every
    /// group of tiles, `sum / weights` is what `assemble` gives. The tiles are added in
    /// index order, so the sums do not depend on how the tiles were grouped.
    public func accumulate(
        _ tiles: UnsafePointer<Float>, tiles range: Range<Int>, into sum: UnsafeMutablePointer<Float>,
        weights: UnsafeMutablePointer<Float>
    ) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let t = tileSize
        // One window per call (a group of tiles), not per tile: t values.
        let window = Self.window(size: t)
        window.withUnsafeBufferPointer { window in
            for tile in range {
                let y0 = rowStarts[tile / columnStarts.count], x0 = columnStarts[tile % columnStarts.count]
                let base = tiles + (tile - range.lowerBound) * t * t
                for dy in max(0, -y0)..<min(t, imageHeight - y0) {
                    let y = y0 + dy
                    let wy = window[dy]
                    for dx in max(0, -x0)..<min(t, imageWidth - x0) {
                        let w = wy * window[dx]
                        let i = y * imageWidth + x0 + dx
                        sum[i] += w * base[dy * t + dx]
                        weights[i] += w
                    }
                }
            }
        }
    }

    /// sin² bump over the tile, positive everywhere so every covered pixel has weight.
    static func window(size: Int) -> [Float] {
        (0..<size).map { i in
            let s = sin(Double.pi * (Double(i) + 0.5) / Double(size))
            return Float(s * s)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
