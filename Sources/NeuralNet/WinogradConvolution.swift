import COpenBLAS

/// Winograd minimal filtering F(m x m, 3 x 3) for a valid, stride-1 convolution in NHWC
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
///
/// Each (m+2)x(m+2) input tile is transformed (B^T d B), multiplied point-wise with the
/// transformed filters (G g G^T) and transformed back (A^T M A) to m x m outputs. The
/// point-wise products over the channels are one GEMM per transform point, over blocks of
/// tiles. The input gradient runs the transposed pipeline, so it is exactly the
/// adjoint of this forward pass (what a gradient must be), not an approximation of the
/// direct convolution's.
final class WinogradConvolution {
    /// The three matrices of F(m, 3), from Toom-Cook interpolation at the given points
    /// plus infinity (tools/winograd_matrices.py derives them; the tests check the
    /// defining identity). Larger m saves more multiplications but amplifies rounding.
    struct Transform: Sendable {
        let m: Int
        /// B^T, alpha x alpha, alpha = m + 2.
        let bt: [Float]
        /// G, alpha x 3, in Double: filters are transformed once, at full precision.
        let g: [Double]
        /// A^T, m x alpha.
        let at: [Float]
        var alpha: Int { m + 2 }

        /// Points 0, 1, -1.
        static let f2 = Transform(
            m: 2,
            bt: [-1, 0, 1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, -1, 0, 1],
            g: [-1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1],
            at: [1, 1, 1, 0, 0, 1, -1, 1])
        /// Points 0, 1, -1, 2.
        static let f3 = Transform(
            m: 3,
            bt: [2, -1, -2, 1, 0, 0, -2, -1, 1, 0, 0, 2, -3, 1, 0, 0, -1, 0, 1, 0, 0, 2, -1, -2, 1],
            g: [0.5, 0, 0, -0.5, -0.5, -0.5, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, 1.0 / 3, 2.0 / 3, 0, 0, 1],
            at: [1, 1, 1, 1, 0, 0, 1, -1, 2, 0, 0, 1, 1, 4, 1])
        /// Points 0, 1, -1, 2, -2 (the matrices in Lavin & Gray).
        static let f4 = Transform(
            m: 4,
            bt: [
                4, 0, -5, 0, 1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0,
                0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1,
            ],
            g: [
                0.25, 0, 0, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6,
                1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 24, -1.0 / 12, 1.0 / 6, 0, 0, 1,
            ],
            at: [1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1])

        static let all = [f2, f3, f4]

        /// The tile size with the fewest multiplications for this output (tiles x alpha^2),
        /// the smaller m on a tie (less rounding): 11x11 -> F(4, 3), 3x3 -> F(3, 3).
        static func best(outputHeight: Int, outputWidth: Int) -> Transform {
            func cost(_ t: Transform) -> Int {
                ((outputHeight + t.m - 1) / t.m) * ((outputWidth + t.m - 1) / t.m) * t.alpha * t.alpha
            }
            return all.min { cost($0) < cost($1) }!
        }
    }

    let transform: Transform
    let kernels: WinogradKernels
    let channels: Int
    let filters: Int
    /// U: (alpha^2, C, K), one C x K matrix per transform point.
    private let transformedFilters: UnsafeMutablePointer<Float>
    /// U^T: (alpha^2, K, C), so the input gradient's GEMMs are not-transposed ones too
    /// (OpenBLAS's small-matrix NT kernel measured 40% slower than its NN one here).
    private let transposedFilters: UnsafeMutablePointer<Float>
    /// The input with its bottom and right edge padded with zeros to whole tiles.
    private let padded = FloatBuffer()
    /// V: (tiles, alpha^2, C), and its gradient in backward.
    private let transformedInput = FloatBuffer()
    /// M: (tiles, alpha^2, K), and its gradient in backward.
    private let products = FloatBuffer()
    /// One tile's partial transform.
    private let scratch = FloatBuffer()
    private let edgeTile = FloatBuffer()

    /// `weights` in Keras's (3, 3, C, K) layout.
    init(transform: Transform, weights: UnsafePointer<Float>, channels: Int, filters: Int) {
        self.transform = transform
        kernels = .forTransform(transform)
        self.channels = channels
        self.filters = filters
        let alpha = transform.alpha
        transformedFilters = .allocate(capacity: alpha * alpha * channels * filters)
        // U[xi, xj] = sum_ab G[xi, a] g[a, b] G[xj, b], per (c, k).
        let g = transform.g
        for xi in 0..<alpha {
            for xj in 0..<alpha {
                let target = transformedFilters + (xi * alpha + xj) * channels * filters
                for ck in 0..<channels * filters {
                    var sum = 0.0
                    for a in 0..<3 {
                        for b in 0..<3 {
                            sum +=
                                g[xi * 3 + a] * Double(weights[(a * 3 + b) * channels * filters + ck]) * g[xj * 3 + b]
                        }
                    }
                    target[ck] = Float(sum)
                }
            }
        }
        transposedFilters = .allocate(capacity: alpha * alpha * channels * filters)
        for xi in 0..<alpha * alpha {
            let u = transformedFilters + xi * channels * filters, ut = transposedFilters + xi * channels * filters
            for ci in 0..<channels {
                for ki in 0..<filters { ut[ki * channels + ci] = u[ci * filters + ki] }
            }
        }
    }

    deinit {
        transformedFilters.deallocate()
        transposedFilters.deallocate()
    }

    /// Tiles per transform-GEMM-transform round: the round's V and M stay in cache, and a
    /// large image (conv mode) does not need them whole. Measured, conv preset on a
    /// 640x427 photo: 16 -> 1.19 s, 32 -> 1.12, 64 -> 1.00, 128 -> 1.02, unblocked 1.56.
    static let blockSize = 64

    /// out[t, xi] = in[t, xi] x matrices[xi] for every transform point xi: one GEMM per
    /// point over all tiles (rows of `in` and `out` are (tile, point) pairs).
    private func multiplyPerPoint(
        _ input: UnsafePointer<Float>, width inWidth: Int, by matrices: UnsafePointer<Float>,
        into output: UnsafeMutablePointer<Float>, width outWidth: Int, tiles: Int
    ) {
        let points = transform.alpha * transform.alpha
        for xi in 0..<points {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(tiles), Int32(outWidth), Int32(inWidth),
                1, input + xi * inWidth, Int32(points * inWidth), matrices + xi * inWidth * outWidth, Int32(outWidth),
                0, output + xi * outWidth, Int32(points * outWidth))
        }
    }

    /// Tiles per image and the padded input size for an input of `shape`.
    private func layout(_ shape: FeatureShape) -> (rows: Int, columns: Int, paddedHeight: Int, paddedWidth: Int) {
        let m = transform.m
        let rows = (shape.height - 2 + m - 1) / m, columns = (shape.width - 2 + m - 1) / m
        return (rows, columns, rows * m + 2, columns * m + 2)
    }

    /// The entry check of both passes: the tile loops and GEMMs trust these sizes.
    private func check(_ shape: FeatureShape, batch: Int, _ pass: String) {
        kernelCheck(
            shape.channels == channels && shape.height >= 3 && shape.width >= 3 && batch >= 1,
            "Winograd.\(pass): input \(shape) x \(batch) does not fit 3x3 filters over \(channels) channels")
    }

    // input (N, H, W, C) -> output (N, H-2, W-2, K), no bias
    func forward(
        _ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int, into output: UnsafeMutablePointer<Float>
    ) {
        check(shape, batch: batch, "forward")
        let m = transform.m, alpha = transform.alpha, points = alpha * alpha
        let c = channels, k = filters
        let (rows, columns, hp, wp) = layout(shape)
        let tiles = batch * rows * columns
        let x = padded.reserve(batch * hp * wp * c)
        for n in 0..<batch {
            for y in 0..<hp {
                let row = x + (n * hp + y) * wp * c
                if y < shape.height {
                    row.update(from: input + (n * shape.height + y) * shape.width * c, count: shape.width * c)
                    (row + shape.width * c).update(repeating: 0, count: (wp - shape.width) * c)
                } else {
                    row.update(repeating: 0, count: wp * c)
                }
            }
        }
        let v = transformedInput.reserve(min(tiles, Self.blockSize) * points * c)
        let p = products.reserve(min(tiles, Self.blockSize) * points * k)
        let s = scratch.reserve(points * max(c, k))
        let outH = shape.height - 2, outW = shape.width - 2
        let edge = edgeTile.reserve(m * k)
        for first in stride(from: 0, to: tiles, by: Self.blockSize) {
            let block = first..<min(tiles, first + Self.blockSize)
            for t in block {
                let (n, ty, tx) = (t / (rows * columns), t / columns % rows, t % columns)
                let d = x + ((n * hp + ty * m) * wp + tx * m) * c
                // B^T down the tile's rows (alpha * C lanes each), then along each row.
                kernels.inputRows(d, wp * c, s, alpha * c, alpha * c)
                let tile = v + (t - first) * points * c
                for xi in 0..<alpha {
                    kernels.inputRows(s + xi * alpha * c, c, tile + xi * alpha * c, c, c)
                }
            }
            // M[t, xi] = V[t, xi] U[xi]
            multiplyPerPoint(v, width: c, by: transformedFilters, into: p, width: k, tiles: block.count)
            for t in block {
                let (n, ty, tx) = (t / (rows * columns), t / columns % rows, t % columns)
                // A^T down the rows (alpha * K lanes), then along each row into the output.
                kernels.outputRows(p + (t - first) * points * k, alpha * k, s, alpha * k, alpha * k)
                let validColumns = min(m, outW - tx * m)
                for a in 0..<min(m, outH - ty * m) {
                    let outRow = output + ((n * outH + ty * m + a) * outW + tx * m) * k
                    if validColumns == m {
                        kernels.outputRows(s + a * alpha * k, k, outRow, k, k)
                    } else {
                        kernels.outputRows(s + a * alpha * k, k, edge, k, k)
                        outRow.update(from: edge, count: validColumns * k)
                    }
                }
            }
        }
    }

    /// d(loss)/d(input) from d(loss)/d(output) (pre-activation): the forward pipeline's
    /// transpose, A^T -> A, U -> U^T, B^T -> B, the tile gather -> a scatter-add.
    func backwardData(
        _ outputGradient: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        check(shape, batch: batch, "backwardData")
        let m = transform.m, alpha = transform.alpha, points = alpha * alpha
        let c = channels, k = filters
        let (rows, columns, hp, wp) = layout(shape)
        let tiles = batch * rows * columns
        let outH = shape.height - 2, outW = shape.width - 2
        let dM = products.reserve(min(tiles, Self.blockSize) * points * k)
        let dV = transformedInput.reserve(min(tiles, Self.blockSize) * points * c)
        let s = scratch.reserve(2 * points * max(c, k))
        let rowsOut = s + points * c
        // Edge tiles of the output gradient, zero beyond the output (those outputs do not exist).
        let dy = edgeTile.reserve(m * m * k)
        let dx = padded.reserve(batch * hp * wp * c)
        dx.update(repeating: 0, count: batch * hp * wp * c)
        for first in stride(from: 0, to: tiles, by: Self.blockSize) {
            let block = first..<min(tiles, first + Self.blockSize)
            for t in block {
                let (n, ty, tx) = (t / (rows * columns), t / columns % rows, t % columns)
                let validRows = min(m, outH - ty * m), validColumns = min(m, outW - tx * m)
                var tileGradient = outputGradient + ((n * outH + ty * m) * outW + tx * m) * k
                var rowStride = outW * k
                if validRows < m || validColumns < m {
                    dy.update(repeating: 0, count: m * m * k)
                    for a in 0..<validRows {
                        (dy + a * m * k).update(from: tileGradient + a * rowStride, count: validColumns * k)
                    }
                    tileGradient = UnsafePointer(dy)
                    rowStride = m * k
                }
                // A down the rows (m * K lanes), then along each row.
                kernels.outputRowsTransposed(tileGradient, rowStride, s, m * k, m * k)
                let tile = dM + (t - first) * points * k
                for xi in 0..<alpha {
                    kernels.outputRowsTransposed(s + xi * m * k, k, tile + xi * alpha * k, k, k)
                }
            }
            // dV[t, xi] = dM[t, xi] U[xi]^T
            multiplyPerPoint(dM, width: k, by: transposedFilters, into: dV, width: c, tiles: block.count)
            for t in block {
                let (n, ty, tx) = (t / (rows * columns), t / columns % rows, t % columns)
                let tile = dV + (t - first) * points * c
                // B along each row, then down the rows; tiles overlap, so add into dx.
                for xi in 0..<alpha {
                    kernels.inputRowsTransposed(tile + xi * alpha * c, c, s + xi * alpha * c, c, c)
                }
                kernels.inputRowsTransposed(s, alpha * c, rowsOut, alpha * c, alpha * c)
                let d = dx + ((n * hp + ty * m) * wp + tx * m) * c
                for i in 0..<alpha {
                    VectorKernels.add(rowsOut + i * alpha * c, into: d + i * wp * c, count: alpha * c)
                }
            }
        }
        for n in 0..<batch {
            for y in 0..<shape.height {
                (inputGradient + (n * shape.height + y) * shape.width * c).update(
                    from: dx + (n * hp + y) * wp * c, count: shape.width * c)
            }
        }
    }
}
