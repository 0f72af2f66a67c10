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
    /// G g for a block of filter lanes (3 x alpha x filterBlock), while U is computed.
    private let filterScratch: UnsafeMutablePointer<Double>
    private static let filterBlock = 512
    /// The weights changed since `setFilters` last ran (see `Conv2D.weightsChanged`).
    var filtersStale = false
    /// When set, `backward` sums dU over calls and `completeFilterGradient` turns it into
    /// dW once: G^T dU G per chunk of a training batch was 5% of the training time.
    var defersFilterGradient = false
    /// The weight gradient that the summed dU belongs to, while there is one.
    private var pendingFilterGradient: UnsafeMutablePointer<Float>?
    /// The input with its bottom and right edge padded with zeros to whole tiles, and
    /// the gradient of that padded input in backward.
    private let padded = FloatBuffer()
    private let paddedGradient = FloatBuffer()
    /// dU: (alpha^2, C, K), the weight gradient in the transform domain, and G^T dU's partial sums.
    private let filterGradient = FloatBuffer()
    private let gradientScratch = FloatBuffer()
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
        transposedFilters = .allocate(capacity: alpha * alpha * channels * filters)
        filterScratch = .allocate(capacity: 3 * alpha * Self.filterBlock)
        setFilters(weights)
    }

    /// Transforms `weights` ((3, 3, C, K)) into U and U^T, in place: training calls it after
    /// every update. U[xi, xj] = sum_a G[xi, a] (sum_b g[a, b] G[xj, b]), in Double, over
    /// blocks of the C*K lanes that keep the partial sums in cache.
    func setFilters(_ weights: UnsafePointer<Float>) {
        let alpha = transform.alpha, g = transform.g, lanes = channels * filters
        let block = min(lanes, Self.filterBlock), partial = filterScratch
        filtersStale = false
        for start in stride(from: 0, to: lanes, by: block) {
            let n = min(block, lanes - start)
            // partial[a, xj] = sum_b g[a, b] G[xj, b]
            for a in 0..<3 {
                for xj in 0..<alpha {
                    let target = partial + (a * alpha + xj) * block
                    let g0 = g[xj * 3], g1 = g[xj * 3 + 1], g2 = g[xj * 3 + 2]
                    let w0 = weights + (a * 3) * lanes + start, w1 = w0 + lanes, w2 = w1 + lanes
                    for i in 0..<n { target[i] = Double(w0[i]) * g0 + Double(w1[i]) * g1 + Double(w2[i]) * g2 }
                }
            }
            for xi in 0..<alpha {
                let h0 = g[xi * 3], h1 = g[xi * 3 + 1], h2 = g[xi * 3 + 2]
                for xj in 0..<alpha {
                    let target = transformedFilters + (xi * alpha + xj) * lanes + start
                    let p0 = partial + xj * block, p1 = p0 + alpha * block, p2 = p1 + alpha * block
                    for i in 0..<n { target[i] = Float(h0 * p0[i] + h1 * p1[i] + h2 * p2[i]) }
                }
            }
        }
        for xi in 0..<alpha * alpha {
            let u = transformedFilters + xi * lanes, ut = transposedFilters + xi * lanes
            for ci in 0..<channels {
                for ki in 0..<filters { ut[ki * channels + ci] = u[ci * filters + ki] }
            }
        }
    }

    deinit {
        filterScratch.deallocate()
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

    /// The input with its bottom and right edge padded with zeros to whole tiles.
    private func pad(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) -> UnsafeMutablePointer<Float> {
        let c = channels
        let (_, _, hp, wp) = layout(shape)
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
        return x
    }

    /// V[t - block.lowerBound] = B^T d B for the tiles of `block`, from the padded input.
    private func transformInput(
        _ x: UnsafePointer<Float>, hp: Int, wp: Int, rows: Int, columns: Int, block: Range<Int>,
        into v: UnsafeMutablePointer<Float>
    ) {
        let m = transform.m, alpha = transform.alpha, points = alpha * alpha, c = channels
        let s = scratch.reserve(points * max(c, filters))
        for t in block {
            let (n, ty, tx) = (t / (rows * columns), t / columns % rows, t % columns)
            let d = x + ((n * hp + ty * m) * wp + tx * m) * c
            // B^T down the tile's rows (alpha * C lanes each), then along each row.
            kernels.inputRows(d, wp * c, s, alpha * c, alpha * c)
            let tile = v + (t - block.lowerBound) * points * c
            for xi in 0..<alpha {
                kernels.inputRows(s + xi * alpha * c, c, tile + xi * alpha * c, c, c)
            }
        }
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
        let x = pad(input, shape: shape, batch: batch)
        let v = transformedInput.reserve(min(tiles, Self.blockSize) * points * c)
        let p = products.reserve(min(tiles, Self.blockSize) * points * k)
        let s = scratch.reserve(points * max(c, k))
        let outH = shape.height - 2, outW = shape.width - 2
        let edge = edgeTile.reserve(m * k)
        for first in stride(from: 0, to: tiles, by: Self.blockSize) {
            let block = first..<min(tiles, first + Self.blockSize)
            transformInput(x, hp: hp, wp: wp, rows: rows, columns: columns, block: block, into: v)
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

    /// d(loss)/d(input) from d(loss)/d(output) (pre-activation); see `backward`.
    func backwardData(
        _ outputGradient: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        backward(outputGradient, input: nil, shape: shape, batch: batch, inputGradient: inputGradient)
    }

    /// Gradients from d(loss)/d(output) (pre-activation), each the exact adjoint of the
    /// forward pipeline (what a gradient must be), not an approximation of the direct
    /// convolution's:
    /// - the input gradient (`inputGradient`) runs it transposed: A^T -> A, U -> U^T,
    ///   B^T -> B, the tile gather -> a scatter-add;
    /// - the weight gradient (added into `weightGradient`, which needs `input`) is
    ///   dU[xi] = sum over tiles of V[t, xi]^T dM[t, xi], one GEMM per transform point, then
    ///   dW += G^T dU G: 3.4x fewer multiplications than im2col's, and no columns.
    func backward(
        _ outputGradient: UnsafePointer<Float>, input: UnsafePointer<Float>?, shape: FeatureShape, batch: Int,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>? = nil
    ) {
        check(shape, batch: batch, "backward")
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
        var dx: UnsafeMutablePointer<Float>? = nil
        if inputGradient != nil {
            dx = paddedGradient.reserve(batch * hp * wp * c)
            dx!.update(repeating: 0, count: batch * hp * wp * c)
        }
        let weights = weightGradient.flatMap { target in input.map { (target, $0) } }
        let x = weights.map { pad($0.1, shape: shape, batch: batch) }
        let dU = weights == nil ? nil : filterGradient.reserve(points * c * k)
        // Deferred sums carry on from the last call; otherwise the first block starts them.
        let carried = pendingFilterGradient != nil
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
            if let x, let dU {
                // V for this block again (cheaper than keeping every tile's from forward).
                transformInput(x, hp: hp, wp: wp, rows: rows, columns: columns, block: block, into: dV)
                // dU[xi] (C, K) += V[., xi]^T (C, tiles) x dM[., xi] (tiles, K)
                for xi in 0..<points {
                    cblas_sgemm(
                        CblasRowMajor, CblasTrans, CblasNoTrans, Int32(c), Int32(k), Int32(block.count),
                        1, dV + xi * c, Int32(points * c), dM + xi * k, Int32(points * k),
                        first == 0 && !carried ? 0 : 1, dU + xi * c * k, Int32(k))
                }
            }
            guard let dx else { continue }
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
        if let weights, let dU {
            if defersFilterGradient {
                pendingFilterGradient = weights.0
            } else {
                addFilterGradient(dU, into: weights.0)
            }
        }
        if let inputGradient, let dx {
            for n in 0..<batch {
                for y in 0..<shape.height {
                    (inputGradient + (n * shape.height + y) * shape.width * c).update(
                        from: dx + (n * hp + y) * wp * c, count: shape.width * c)
                }
            }
        }
    }

    /// Adds the deferred dU into the weight gradient it belongs to.
    func completeFilterGradient() {
        guard let target = pendingFilterGradient else { return }
        addFilterGradient(filterGradient.pointer, into: target)
        pendingFilterGradient = nil
    }

    /// Drops deferred sums (the gradients were zeroed).
    func discardFilterGradient() { pendingFilterGradient = nil }

    /// dW[a, b] += sum_xi,xj G[xi, a] dU[xi, xj] G[xj, b], the filter transform's transpose,
    /// over blocks of the C*K lanes.
    private func addFilterGradient(_ dU: UnsafePointer<Float>, into dW: UnsafeMutablePointer<Float>) {
        let alpha = transform.alpha, lanes = channels * filters
        let g = transform.g.map { Float($0) }
        let block = min(lanes, Self.filterBlock)
        let partial = gradientScratch.reserve(3 * alpha * block)
        for start in stride(from: 0, to: lanes, by: block) {
            let n = min(block, lanes - start)
            // partial[a, xj] = sum_xi G[xi, a] dU[xi, xj]
            for a in 0..<3 {
                for xj in 0..<alpha {
                    let target = partial + (a * alpha + xj) * block
                    target.update(repeating: 0, count: n)
                    for xi in 0..<alpha {
                        let weight = g[xi * 3 + a]
                        if weight == 0 { continue }
                        let source = dU + (xi * alpha + xj) * lanes + start
                        for i in 0..<n { target[i] += weight * source[i] }
                    }
                }
            }
            for a in 0..<3 {
                for b in 0..<3 {
                    let target = dW + (a * 3 + b) * lanes + start
                    for xj in 0..<alpha {
                        let weight = g[xj * 3 + b]
                        if weight == 0 { continue }
                        let source = partial + (a * alpha + xj) * block
                        for i in 0..<n { target[i] += weight * source[i] }
                    }
                }
            }
        }
    }
}
