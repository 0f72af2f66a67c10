import Foundation

/// A small random affine warp of a square pattern (shift, scale and rotation about the
/// centre, bilinear, black outside, or wrapping around for seamless patterns) with its
/// exact adjoint for the gradient.
///
/// Feature-visualisation work (Olah et al., "Feature Visualization", Distill 2017) found
/// that asking a pattern to work under such jitter is what turns adversarial noise into
/// structure a person can read.
public struct PatternTransform: Sendable {
    public let side: Int
    /// Per output pixel, its four source pixels (-1: outside) and bilinear weights.
    private let sources: [Int32]
    private let weights: [Float]

    public init(side: Int, shiftX: Float, shiftY: Float, scale: Float, degrees: Float, wraps: Bool = false) {
        self.side = side
        var sources = [Int32](repeating: -1, count: side * side * 4)
        var weights = [Float](repeating: 0, count: side * side * 4)
        let c = Float(side - 1) / 2
        let angle = degrees * .pi / 180
        let cosA = cos(angle) / scale, sinA = sin(angle) / scale
        sources.withUnsafeMutableBufferPointer { sources in
            weights.withUnsafeMutableBufferPointer { weights in
                for y in 0..<side {
                    for x in 0..<side {
                        // The output pixel looks up the source position the inverse warp gives.
                        let u = Float(x) - c - shiftX, v = Float(y) - c - shiftY
                        let sx = cosA * u + sinA * v + c, sy = -sinA * u + cosA * v + c
                        let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                        let fx = sx - fx0, fy = sy - fy0
                        let x0 = Int(fx0), y0 = Int(fy0)
                        let base = (y * side + x) * 4
                        for k in 0..<4 {
                            var px = x0 + (k & 1), py = y0 + (k >> 1)
                            if wraps {
                                px = ((px % side) + side) % side
                                py = ((py % side) + side) % side
                            }
                            guard px >= 0, py >= 0, px < side, py < side else { continue }
                            sources[base + k] = Int32(py * side + px)
                            weights[base + k] = (k & 1 == 1 ? fx : 1 - fx) * (k >> 1 == 1 ? fy : 1 - fy)
                        }
                    }
                }
            }
        }
        self.sources = sources
        self.weights = weights
    }

    /// A random warp: shifts up to `jitter` pixels, scale in 1 ± `scaleRange`, rotation
    /// up to ± `degrees`. With `wraps`, the pattern wraps around and is also rolled by a
    /// random whole number of pixels anywhere in its side, so every pixel meets its
    /// wrapped neighbours (seamless patterns).
    public static func random<G: RandomNumberGenerator>(
        side: Int, jitter: Float, scaleRange: Float, degrees: Float, wraps: Bool = false, using generator: inout G
    ) -> PatternTransform {
        func uniform(_ r: Float) -> Float { r > 0 ? Float.random(in: -r...r, using: &generator) : 0 }
        let (rollX, rollY) =
            wraps
            ? (Float(Int.random(in: 0..<side, using: &generator)), Float(Int.random(in: 0..<side, using: &generator)))
            : (0, 0)
        return PatternTransform(
            side: side, shiftX: rollX + uniform(jitter), shiftY: rollY + uniform(jitter),
            scale: 1 + uniform(scaleRange),
            degrees: uniform(degrees), wraps: wraps)
    }

    /// out = T x.
    public func apply(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        sources.withUnsafeBufferPointer { sources in
            weights.withUnsafeBufferPointer { weights in
                for p in 0..<(side * side) {
                    var sum: Float = 0
                    for k in 0..<4 {
                        let s = sources[p * 4 + k]
                        if s >= 0 { sum += weights[p * 4 + k] * x[Int(s)] }
                    }
                    out[p] = sum
                }
            }
        }
    }

    /// out = Tᵀ g: the gradient with respect to the untransformed pattern.
    public func adjoint(_ g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: side * side)
        sources.withUnsafeBufferPointer { sources in
            weights.withUnsafeBufferPointer { weights in
                for p in 0..<(side * side) {
                    for k in 0..<4 {
                        let s = sources[p * 4 + k]
                        if s >= 0 { out[Int(s)] += weights[p * 4 + k] * g[p] }
                    }
                }
            }
        }
    }
}
