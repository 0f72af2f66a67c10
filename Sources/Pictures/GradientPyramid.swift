import Imaging
import Resampling

/// Laplacian-pyramid normalisation of a square gradient: split into frequency bands,
/// scale each band to unit RMS, add them up again. Coarse bands, tiny in a raw gradient,
/// then get as much say as pixel-level ones, so an ascent grows shapes rather than
/// salt-and-pepper noise (the DeepDream notebook's `lap_normalize`; a multi-scale
/// parameterisation in Olah et al.'s terms).
public struct GradientPyramid: Sendable {
    public let side: Int
    /// Side of each level, finest first (28, 14, 7, 4 for 28).
    public let sides: [Int]
    /// Per level below the finest: down (small x big) and up (big x small) 1-D matrices.
    private let down: [[Float]]
    private let up: [[Float]]

    /// `edge` .wrap for seamless patterns.
    public init(side: Int, levels: Int = 4, edge: EdgeMode = .renormalize) {
        self.side = side
        var sides = [side]
        while sides.count < levels, sides.last! >= 6 { sides.append((sides.last! + 1) / 2) }
        self.sides = sides
        // The bilinear resampler's weights, read off by resampling unit vectors.
        func matrix(from n: Int, to m: Int) -> [Float] {
            let resampler = Resampler(kernel: .bilinear, edge: edge)
            var result = [Float](repeating: 0, count: m * n)
            for j in 0..<n {
                var unit = Image(width: n, height: 1)
                unit.pixels[j] = 1
                let column = resampler.resample(unit, width: m, height: 1)
                for i in 0..<m { result[i * n + j] = column.pixels[i] }
            }
            return result
        }
        down = (1..<sides.count).map { matrix(from: sides[$0 - 1], to: sides[$0]) }
        up = (1..<sides.count).map { matrix(from: sides[$0], to: sides[$0 - 1]) }
    }

    /// M X Mᵀ for a square X (n x n) and M (m x n). M is a resampling matrix, a few
    /// non-zero weights per row, so both products skip the zeros.
    static func sandwich(_ matrix: [Float], _ x: [Float], n: Int, m: Int) -> [Float] {
        var taps: [(row: Int, column: Int, weight: Float)] = []
        for i in 0..<m {
            for k in 0..<n where matrix[i * n + k] != 0 { taps.append((i, k, matrix[i * n + k])) }
        }
        var rows = [Float](repeating: 0, count: m * n)  // M X
        for (i, k, w) in taps {
            for j in 0..<n { rows[i * n + j] += w * x[k * n + j] }
        }
        var out = [Float](repeating: 0, count: m * m)  // (M X) Mᵀ
        for i in 0..<m {
            for (j, k, w) in taps { out[i * m + j] += w * rows[i * n + k] }
        }
        return out
    }

    /// The bands of `g`, finest first; they add up to `g` after upsampling.
    public func bands(_ g: [Float]) -> [[Float]] {
        var bands: [[Float]] = []
        var current = g
        for level in 0..<(sides.count - 1) {
            let n = sides[level], m = sides[level + 1]
            let low = Self.sandwich(down[level], current, n: n, m: m)
            let back = Self.sandwich(up[level], low, n: m, m: n)
            bands.append(zip(current, back).map { $0 - $1 })
            current = low
        }
        bands.append(current)
        return bands
    }

    /// Bands back into one image at full size.
    public func merge(_ bands: [[Float]]) -> [Float] {
        var current = bands.last!
        for level in stride(from: sides.count - 2, through: 0, by: -1) {
            let n = sides[level], m = sides[level + 1]
            let back = Self.sandwich(up[level], current, n: m, m: n)
            current = zip(back, bands[level]).map { $0 + $1 }
        }
        return current
    }

    /// Every band scaled to unit RMS, then merged.
    public func normalize(_ g: UnsafePointer<Float>) -> [Float] {
        let split = bands(Array(UnsafeBufferPointer(start: g, count: side * side)))
        return merge(
            split.map { band in
                let rms = (band.reduce(0) { $0 + $1 * $1 } / Float(band.count)).squareRoot()
                return rms > 1e-12 ? band.map { $0 / rms } : band
            })
    }
}
