/// Max pooling over non-overlapping windows (stride = window), dropping a ragged edge
/// like Keras's "valid" pooling.
public final class MaxPool2D: Layer {
    public let name: String
    public let poolHeight: Int
    public let poolWidth: Int

    /// For each output value, the index (within its sample) of the input that won.
    private let argmaxIndices = IndexBuffer()
    private let post = FloatBuffer()

    public init(name: String, pool: (Int, Int) = (2, 2)) {
        self.name = name
        self.poolHeight = pool.0
        self.poolWidth = pool.1
    }

    public var spec: LayerSpec { LayerSpec(name: name, kind: .maxpool2d, size: [poolHeight, poolWidth]) }
    public var output: UnsafeMutablePointer<Float> { post.pointer }

    public func outputShape(for input: FeatureShape) throws(NetworkError) -> FeatureShape {
        guard input.height >= poolHeight, input.width >= poolWidth else {
            throw .inputTooSmall(layer: name, input: input, needs: "at least \(poolHeight)x\(poolWidth)")
        }
        return FeatureShape(height: input.height / poolHeight, width: input.width / poolWidth, channels: input.channels)
    }

    // input (N, H, W, C) -> output (N, H/ph, W/pw, C)
    public func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) {
        let out = try! outputShape(for: shape)
        let result = post.reserve(batch * out.count)
        let winners = argmaxIndices.reserve(batch * out.count)
        let c = shape.channels
        parallelChunks(batch) { range in
            for n in range {
                let image = input + n * shape.count
                for oy in 0..<out.height {
                    for ox in 0..<out.width {
                        let o = n * out.count + (oy * out.width + ox) * c
                        for ch in 0..<c {
                            var best = -Float.infinity
                            var bestIndex = 0
                            for py in 0..<self.poolHeight {
                                for px in 0..<self.poolWidth {
                                    let i = ((oy * self.poolHeight + py) * shape.width + ox * self.poolWidth + px) * c + ch
                                    if image[i] > best {  // ties: the first wins
                                        best = image[i]
                                        bestIndex = i
                                    }
                                }
                            }
                            result[o + ch] = best
                            winners[o + ch] = Int32(bestIndex)
                        }
                    }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
                         outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool) {
        guard let inputGradient else { return }
        let out = try! outputShape(for: shape)
        let winners = argmaxIndices.pointer
        parallelChunks(batch) { range in
            for n in range {
                let dInput = inputGradient + n * shape.count
                dInput.update(repeating: 0, count: shape.count)
                for o in n * out.count..<(n + 1) * out.count { dInput[Int(winners[o])] += outputGradient[o] }
            }
        }
    }
}
