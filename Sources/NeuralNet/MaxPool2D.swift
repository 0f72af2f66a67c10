/// Max pooling over non-overlapping windows (stride = window), dropping a ragged edge
/// like Keras's "valid" pooling.
///
/// No argmax is stored: backward finds each window's winner again by comparing the
/// input with the pooled value (the first equal one wins, as in the forward scan). That
/// keeps the forward loop a plain, vectorisable max.
public final class MaxPool2D: Layer {
    public let name: String
    public let poolHeight: Int
    public let poolWidth: Int
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

    /// The entry check of forward and backward: the window loops trust these sizes.
    private func checkedOutput(_ shape: FeatureShape, batch: Int, _ pass: String) -> FeatureShape {
        kernelCheck(
            shape.height >= poolHeight && shape.width >= poolWidth && shape.channels >= 1,
            "MaxPool2D \(name).\(pass): input \(shape) is smaller than its \(poolHeight)x\(poolWidth) window")
        kernelCheck(
            batch >= 1 && !batch.multipliedReportingOverflow(by: shape.count).overflow,
            "MaxPool2D \(name).\(pass): batch \(batch) of \(shape) is outside what one call can hold")
        return FeatureShape(height: shape.height / poolHeight, width: shape.width / poolWidth, channels: shape.channels)
    }

    // input (N, H, W, C) -> output (N, H/ph, W/pw, C)
    public func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) {
        let out = checkedOutput(shape, batch: batch, "forward")
        let result = post.reserve(batch * out.count)
        let c = shape.channels, rowStride = shape.width * c
        for n in 0..<batch {
            let image = input + n * shape.count
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let o = result + n * out.count + (oy * out.width + ox) * c
                    let corner = image + (oy * poolHeight * shape.width + ox * poolWidth) * c
                    if poolHeight == 2 && poolWidth == 2 && c % 16 == 0 {
                        VectorKernels.max2x2(corner, rowStride: rowStride, channels: c, into: o)
                        continue
                    }
                    o.update(from: corner, count: c)
                    for py in 0..<poolHeight {
                        for px in 0..<poolWidth where py != 0 || px != 0 {
                            let window = corner + py * rowStride + px * c
                            for ch in 0..<c { o[ch] = max(o[ch], window[ch]) }
                        }
                    }
                }
            }
        }
    }

    public func backward(
        input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
        inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool
    ) {
        let out = checkedOutput(shape, batch: batch, "backward")
        guard let inputGradient else { return }
        let c = shape.channels, rowStride = shape.width * c
        let pooled = UnsafePointer(post.pointer)
        // Windows do not overlap, so each input gets exactly one write; only a ragged edge
        // that no window covers needs clearing.
        if shape.height % poolHeight != 0 || shape.width % poolWidth != 0 {
            inputGradient.update(repeating: 0, count: batch * shape.count)
        }
        for n in 0..<batch {
            let image = input + n * shape.count
            let dImage = inputGradient + n * shape.count
            for oy in 0..<out.height {
                for ox in 0..<out.width {
                    let o = n * out.count + (oy * out.width + ox) * c
                    let corner = (oy * poolHeight * shape.width + ox * poolWidth) * c
                    if poolHeight == 2 && poolWidth == 2 {
                        VectorKernels.route2x2(
                            best: pooled + o, gradient: outputGradient + o, input: image + corner,
                            target: dImage + corner, rowStride: rowStride, channels: c)
                    } else {
                        for ch in 0..<c {
                            var open = true
                            for py in 0..<poolHeight {
                                for px in 0..<poolWidth {
                                    let i = corner + py * rowStride + px * c + ch
                                    let wins = open && image[i] == pooled[o + ch]
                                    dImage[i] = wins ? outputGradient[o + ch] : 0
                                    if wins { open = false }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
