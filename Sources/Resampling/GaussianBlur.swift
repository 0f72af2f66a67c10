import Foundation

/// A separable Gaussian blur of one plane, the ascent's frequency penalty: blurring each
/// step's gradient keeps the change in strokes and forms wider than `sigma` instead of
/// the single-pixel specks a normalised gradient amplifies in flat areas.
///
/// At the border the kernel is cut and its remaining weights renormalised, so a constant
/// plane stays constant and nothing leaks in from outside.
public struct GaussianBlur: Sendable {
    public let sigma: Float
    /// Weights for offsets 0...radius (symmetric), summing to 1 over -radius...radius.
    public let weights: [Float]

    public init(sigma: Float) {
        precondition(sigma > 0 && sigma.isFinite)
        self.sigma = sigma
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var w = (0...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = w[0] + 2 * w[1...].reduce(0, +)
        for i in w.indices { w[i] /= total }
        weights = w
    }

    public var radius: Int { weights.count - 1 }

    /// Blurs `count = width * height` values in place; `scratch` holds as many.
    public func apply(
        _ plane: UnsafeMutablePointer<Float>, width: Int, height: Int, scratch: UnsafeMutablePointer<Float>
    ) {
        // Rows into scratch, then columns back into the plane.
        Self.pass(from: plane, to: scratch, count: width, lines: height, along: 1, across: width, weights: weights)
        Self.pass(from: scratch, to: plane, count: height, lines: width, along: width, across: 1, weights: weights)
    }

    /// One 1-D pass: `lines` lines of `count` values `along` apart, lines `across` apart.
    private static func pass(
        from source: UnsafeMutablePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int, lines: Int,
        along: Int, across: Int, weights: [Float]
    ) {
        let radius = weights.count - 1
        weights.withUnsafeBufferPointer { w in
            for line in 0..<lines {
                let base = line * across
                for i in 0..<count {
                    let lo = max(i - radius, 0), hi = min(i + radius, count - 1)
                    var sum: Float = 0, used: Float = 0
                    for j in lo...hi {
                        let weight = w[abs(j - i)]
                        sum += weight * source[base + j * along]
                        used += weight
                    }
                    target[base + i * along] = sum / used
                }
            }
        }
    }
}
