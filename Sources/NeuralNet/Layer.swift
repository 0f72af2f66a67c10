/// One stage of a sequential network, with its forward and backward pass.
///
/// A layer owns its output buffers; `preActivation` and `output` are valid after
/// `forward` until the next call. Gradients flow as d(loss)/d(output) in and
/// d(loss)/d(input) out; parameter gradients accumulate into the bound gradient view.
public protocol Layer: AnyObject {
    var name: String { get }
    var spec: LayerSpec { get }
    var parameterCount: Int { get }

    /// Points the layer at its slice of the model's parameter and gradient buffers.
    func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>)
    func initialize<G: RandomNumberGenerator>(inputShape: FeatureShape, using generator: inout G)
    func outputShape(for input: FeatureShape) throws(NetworkError) -> FeatureShape

    func forward(_ input: UnsafePointer<Float>, shape: FeatureShape, batch: Int)
    /// The layer's own buffers: valid from a `forward` until the next `forward` (which may
    /// move them), and only while the layer lives.
    var preActivation: UnsafeMutablePointer<Float> { get }
    var output: UnsafeMutablePointer<Float> { get }

    /// `outputGradient` may be overwritten. `gradientIsPreActivation` skips the
    /// activation's derivative (a seed placed on the pre-activation values).
    func backward(
        input: UnsafePointer<Float>, shape: FeatureShape, batch: Int,
        outputGradient: UnsafeMutablePointer<Float>, gradientIsPreActivation: Bool,
        inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: Bool)

    /// Turns d(loss)/d(output) into d(loss)/d(pre-activation) in place, after a forward
    /// pass; a no-op for layers without an activation.
    func activationBackward(_ gradient: UnsafeMutablePointer<Float>, count: Int)
}

extension Layer {
    public var parameterCount: Int { 0 }
    public func bind(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>) {}
    public func initialize<G: RandomNumberGenerator>(inputShape: FeatureShape, using generator: inout G) {}
    public var preActivation: UnsafeMutablePointer<Float> { output }
    public func activationBackward(_ gradient: UnsafeMutablePointer<Float>, count: Int) {}
}

/// A layer as the model file describes it.
public struct LayerSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case conv2d, maxpool2d, flatten, dense
    }

    public var name: String
    public var kind: Kind
    /// conv2d: filter count; dense: units.
    public var units: Int?
    /// conv2d kernel or pool window, [height, width].
    public var size: [Int]?
    public var activation: Activation?

    public init(name: String, kind: Kind, units: Int? = nil, size: [Int]? = nil, activation: Activation? = nil) {
        self.name = name
        self.kind = kind
        self.units = units
        self.size = size
        self.activation = activation
    }
}
