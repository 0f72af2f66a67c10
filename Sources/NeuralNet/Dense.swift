import COpenBLAS

/// Fully connected layer, weights in Keras's (inputs, units) layout.
public final class Dense: Layer {
    public let name: String
    public let inputs: Int
    public let units: Int
    public let activation: Activation

    private var weights: UnsafeMutablePointer<Float>!
    private var bias: UnsafeMutablePointer<Float>!
    private var weightGradient: UnsafeMutablePointer<Float>!
    private var biasGradient: UnsafeMutablePointer<Float>!
    private let pre = FloatBuffer()
    private let post = FloatBuffer()

    public init(name: String, inputs: Int, units: Int, activation: Activation) {
        self.name = name
        self.inputs = inputs
        self.units = units
        self.activation = activation
    }

    public var spec: LayerSpec { LayerSpec(name: name, kind: .dense, units: units, activation: activation) }
    public var parameterCount: Int { inputs * units + units }
    public var weightShape: [Int] { [inputs, units] }
    public var preActivation: UnsafeMutablePointer<Float> { pre.pointer }
    public var output: UnsafeMutablePointer<Float> { post.pointer }

    public func activationBackward(_ gradient: UnsafeMutablePointer<Float>, count: Int) {
        activation.backward(gradient, pre: pre.pointer, out: post.pointer, rows: count / units, units: units)
    }

    public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        weights = parameters
        bias = parameters + inputs * units
        weightGradient = gradients
        biasGradient = gradients + inputs * units
    }

    public func initialize<G: RandomNumberGenerator>(inputShape: FeatureShape, using generator: inout G) {
        // He for ReLU layers, Glorot-like for the output layer.
        let std = Float((activation == .relu ? 2.0 / Double(inputs) : 1.0 / Double(inputs)).squareRoot())
        for i in 0..<inputs * units { weights[i] = std * normalSample(using: &generator) }
        bias.update(repeating: 0, count: units)
    }

    public func outputShape(for input: FeatureShape) throws(NetworkError) -> FeatureShape {
        guard input.count == inputs else {
            throw .shapeMismatch(layer: name, expected: "\(inputs) inputs", got: "\(input.count) (\(input))")
        }
        return .vector(units)
    }

    /// The entry check of forward and backward: the BLAS calls below trust these sizes.
    private func check(_ shape: FeatureShape, batch: Int, _ pass: String) {
        kernelCheck(
            shape.count == inputs,
            "Dense \(name).\(pass): input \(shape) has \(shape.count) values, the layer takes \(inputs)")
        kernelCheck(
            batch >= 1 && batch <= Int(Int32.max) / max(inputs, units),
            "Dense \(name).\(pass): batch \(batch) is outside 1...\(Int(Int32.max) / max(inputs, units))")
    }

    // input (N, I) -> output (N, units)
    public func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int) {
        check(shape, batch: batch, "forward")
        let result = pre.reserve(batch * units)
        for n in 0..<batch { (result + n * units).update(from: bias, count: units) }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(batch), Int32(units), Int32(inputs),
            1, input, Int32(inputs), weights, Int32(units), 1, result, Int32(units))
        activation.apply(result, post.reserve(batch * units), rows: batch, units: units)
    }

    public func backward(
        input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
        inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool
    ) {
        check(shape, batch: batch, "backward")
        let dPre = outputGradient
        if !gradientIsPreActivation {
            activation.backward(dPre, pre: pre.pointer, out: post.pointer, rows: batch, units: units)
        }
        if parameterGradients {
            for n in 0..<batch {
                for k in 0..<units { biasGradient[k] += dPre[n * units + k] }
            }
            // dW (I, units) += input^T (I, N) x dPre (N, units)
            cblas_sgemm(
                CblasRowMajor, CblasTrans, CblasNoTrans, Int32(inputs), Int32(units), Int32(batch),
                1, input, Int32(inputs), dPre, Int32(units), 1, weightGradient, Int32(units))
        }
        if let inputGradient {
            // dInput (N, I) = dPre (N, units) x W^T (units, I)
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(inputs), Int32(units),
                1, dPre, Int32(units), weights, Int32(units), 0, inputGradient, Int32(inputs))
        }
    }
}
