/// (H, W, C) to a vector of H*W*C in the same NHWC order, so a Keras model's Dense
/// weights apply unchanged.
public final class Flatten: Layer {
    public let name: String
    private let post = FloatBuffer()

    public init(name: String) { self.name = name }

    public var spec: LayerSpec { LayerSpec(name: name, kind: .flatten) }
    public var output: UnsafeMutablePointer<Float> { post.pointer }

    public func outputShape(for input: FeatureShape) throws(NetworkError) -> FeatureShape { .vector(input.count) }

    // input (N, H, W, C) -> output (N, H*W*C)
    public func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) {
        post.reserve(batch * shape.count).update(from: input, count: batch * shape.count)
    }

    public func backward(
        input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
        inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool
    ) {
        inputGradient?.update(from: outputGradient, count: batch * shape.count)
    }
}
