/// The nonlinearity a Conv2D or Dense layer applies after its affine map.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case linear
    case relu
    case softmax

    /// output = f(pre), for `batch` rows of `units` values.
    func apply(_ pre: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, units: Int) {
        let count = rows * units
        switch self {
        case .linear:
            out.update(from: pre, count: count)
        case .relu:
            VectorKernels.relu(pre, out, count: count)
        case .softmax:
            for r in 0..<rows {
                let p = pre + r * units, o = out + r * units
                var top = -Float.infinity
                for j in 0..<units { top = max(top, p[j]) }
                var sum: Float = 0
                for j in 0..<units {
                    o[j] = expf(p[j] - top)
                    sum += o[j]
                }
                let inverse = 1 / sum
                for j in 0..<units { o[j] *= inverse }
            }
        }
    }

    /// pre += bias (per row), then output = f(pre): one pass over the GEMM's result.
    func applyAddingBias(
        _ pre: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        rows: Int, units: Int
    ) {
        if self == .relu {
            // One pass: the GEMM's result is read once and both buffers written.
            for r in 0..<rows {
                let p = pre + r * units, o = out + r * units
                for k in 0..<units {
                    let v = p[k] + bias[k]
                    p[k] = v
                    o[k] = max(v, 0)
                }
            }
            return
        }
        for r in 0..<rows {
            let p = pre + r * units
            for k in 0..<units { p[k] += bias[k] }
        }
        apply(pre, out, rows: rows, units: units)
    }

    /// Turns d(loss)/d(output) into d(loss)/d(pre) in place.
    func backward(
        _ gradient: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, out: UnsafePointer<Float>,
        rows: Int, units: Int
    ) {
        switch self {
        case .linear:
            break
        case .relu:
            VectorKernels.reluMask(gradient, pre: pre, count: rows * units)
        case .softmax:
            for r in 0..<rows {
                let g = gradient + r * units, o = out + r * units
                var dot: Float = 0
                for j in 0..<units { dot += g[j] * o[j] }
                for j in 0..<units { g[j] = o[j] * (g[j] - dot) }
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif
