/// The 1-D Winograd transforms as straight-line code, one pass over the lanes (channels,
/// or whole tile rows of channels). `rows(x, xs, y, ys, n)`: output row r at y + r * ys =
/// sum_j M[r, j] * (input row j at x + j * xs), for lanes 0..<n. The shared terms
/// (Lavin & Gray's factorings) need about half the operations of the matrix product, and
/// each input is read once instead of once per output row. The tests check every kernel
/// against its matrix in `WinogradConvolution.Transform`.
struct WinogradKernels {
    typealias Rows = (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void

    /// B^T: alpha -> alpha (input tiles, forward).
    let inputRows: Rows
    /// B: alpha -> alpha (its transpose: the input gradient).
    let inputRowsTransposed: Rows
    /// A^T: alpha -> m (output tiles, forward).
    let outputRows: Rows
    /// A: m -> alpha (its transpose: the output gradient into the transform domain).
    let outputRowsTransposed: Rows

    static func forTransform(_ t: WinogradConvolution.Transform) -> WinogradKernels {
        switch t.m {
        case 4:
            return WinogradKernels(
                inputRows: f4BT, inputRowsTransposed: f4B, outputRows: f4AT, outputRowsTransposed: f4A)
        case 3:
            return WinogradKernels(
                inputRows: f3BT, inputRowsTransposed: f3B, outputRows: f3AT, outputRowsTransposed: f3A)
        default: return generic(t)
        }
    }

    /// Any matrix, applied as it is (F(2, 3), used only for outputs of 1-2 pixels).
    static func generic(_ t: WinogradConvolution.Transform) -> WinogradKernels {
        let alpha = t.alpha, m = t.m
        func matrix(_ values: [Float], rows: Int, columns: Int, transposed: Bool) -> Rows {
            { x, xs, y, ys, n in
                let (outRows, inRows) = transposed ? (columns, rows) : (rows, columns)
                for r in 0..<outRows {
                    let out = y + r * ys
                    out.update(repeating: 0, count: n)
                    for j in 0..<inRows {
                        let w = transposed ? values[j * columns + r] : values[r * columns + j]
                        if w == 0 { continue }
                        let row = x + j * xs
                        for i in 0..<n { out[i] += w * row[i] }
                    }
                }
            }
        }
        return WinogradKernels(
            inputRows: matrix(t.bt, rows: alpha, columns: alpha, transposed: false),
            inputRowsTransposed: matrix(t.bt, rows: alpha, columns: alpha, transposed: true),
            outputRows: matrix(t.at, rows: m, columns: alpha, transposed: false),
            outputRowsTransposed: matrix(t.at, rows: m, columns: alpha, transposed: true))
    }

    // MARK: F(4x4, 3x3)

    static func f4BT(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs, x5 = x + 5 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys, y5 = y + 5 * ys
        for i in 0..<n {
            let d0 = x[i], d1 = x1[i], d2 = x2[i], d3 = x3[i], d4 = x4[i], d5 = x5[i]
            let a = d4 - 4 * d2, b = d3 - 4 * d1
            let c = d4 - d2, d = 2 * (d3 - d1)
            y[i] = 4 * d0 - 5 * d2 + d4
            y1[i] = a + b
            y2[i] = a - b
            y3[i] = c + d
            y4[i] = c - d
            y5[i] = 4 * d1 - 5 * d3 + d5
        }
    }

    static func f4B(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs, x5 = x + 5 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys, y5 = y + 5 * ys
        for i in 0..<n {
            let v0 = x[i], v1 = x1[i], v2 = x2[i], v3 = x3[i], v4 = x4[i], v5 = x5[i]
            let p = v1 + v2, q = v3 + v4, r = v2 - v1, s = v3 - v4
            y[i] = 4 * v0
            y1[i] = 4 * r - 2 * s + 4 * v5
            y2[i] = -5 * v0 - 4 * p - q
            y3[i] = 2 * s - r - 5 * v5
            y4[i] = v0 + p + q
            y5[i] = v5
        }
    }

    static func f4AT(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs, x5 = x + 5 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys
        for i in 0..<n {
            let a = x1[i] + x2[i], b = x1[i] - x2[i], c = x3[i] + x4[i], d = x3[i] - x4[i]
            y[i] = x[i] + a + c
            y1[i] = b + 2 * d
            y2[i] = a + 4 * c
            y3[i] = b + 8 * d + x5[i]
        }
    }

    static func f4A(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys, y5 = y + 5 * ys
        for i in 0..<n {
            let g0 = x[i], g1 = x1[i], g2 = x2[i], g3 = x3[i]
            let even = g0 + g2, odd = g1 + g3
            let even4 = g0 + 4 * g2, odd8 = 2 * g1 + 8 * g3
            y[i] = g0
            y1[i] = even + odd
            y2[i] = even - odd
            y3[i] = even4 + odd8
            y4[i] = even4 - odd8
            y5[i] = g3
        }
    }

    // MARK: F(3x3, 3x3)

    static func f3BT(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys
        for i in 0..<n {
            let d0 = x[i], d1 = x1[i], d2 = x2[i], d3 = x3[i], d4 = x4[i]
            y[i] = 2 * (d0 - d2) - d1 + d3
            y1[i] = d3 - 2 * d1 - d2
            y2[i] = d3 + 2 * d1 - 3 * d2
            y3[i] = d3 - d1
            y4[i] = 2 * (d1 - d3) - d2 + d4
        }
    }

    static func f3B(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys
        for i in 0..<n {
            let v0 = x[i], v1 = x1[i], v2 = x2[i], v3 = x3[i], v4 = x4[i]
            y[i] = 2 * v0
            y1[i] = 2 * (v2 - v1 + v4) - v0 - v3
            y2[i] = -2 * v0 - v1 - 3 * v2 - v4
            y3[i] = v0 + v1 + v2 + v3 - 2 * v4
            y4[i] = v4
        }
    }

    static func f3AT(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs, x3 = x + 3 * xs, x4 = x + 4 * xs
        let y1 = y + ys, y2 = y + 2 * ys
        for i in 0..<n {
            let a = x1[i] + x2[i], b = x1[i] - x2[i], m3 = x3[i]
            y[i] = x[i] + a + m3
            y1[i] = b + 2 * m3
            y2[i] = a + 4 * m3 + x4[i]
        }
    }

    static func f3A(_ x: UnsafePointer<Float>, _ xs: Int, _ y: UnsafeMutablePointer<Float>, _ ys: Int, _ n: Int) {
        let x1 = x + xs, x2 = x + 2 * xs
        let y1 = y + ys, y2 = y + 2 * ys, y3 = y + 3 * ys, y4 = y + 4 * ys
        for i in 0..<n {
            let g0 = x[i], g1 = x1[i], g2 = x2[i]
            let even = g0 + g2
            y[i] = g0
            y1[i] = even + g1
            y2[i] = even - g1
            y3[i] = g0 + 2 * g1 + 4 * g2
            y4[i] = g2
        }
    }
}
