/// A stack of layers run in order, with all parameters in one contiguous buffer and all
/// gradients in another: the optimizer is one loop, a checkpoint one write.
public final class Sequential {
    /// The shape the network was trained on; conv layers also take larger inputs.
    public let inputShape: FeatureShape
    public let layers: [Layer]
    public let parameterCount: Int
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    /// Named views into `parameters`: "conv1.weight", "conv1.bias", ...
    public let tensors: [TensorView]

    public struct TensorView: Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    private let input = FloatBuffer()
    /// Ping-pong buffers for d(loss)/d(layer input) during backward.
    private let deltaA = FloatBuffer()
    private let deltaB = FloatBuffer()
    private let seedBuffer = FloatBuffer()
    /// inputShapes[i] is layer i's input shape in the last forward pass.
    private(set) var inputShapes: [FeatureShape] = []
    public private(set) var batch = 0
    private var ranThrough = -1

    /// Builds the network described by `specs` for inputs of `inputShape`.
    public convenience init(inputShape: FeatureShape, specs: [LayerSpec]) throws(NetworkError) {
        try self.init(inputShape: inputShape, specs: specs, sharing: nil)
    }

    /// A second network on the same parameters (its own buffers and gradients), for
    /// running slices of a batch on other cores.
    public func replica() -> Sequential {
        // Cannot throw: the same shape and specs already built this network.
        let copy = try! Sequential(inputShape: inputShape, specs: specs, sharing: parameters)
        copy.convolutionAlgorithm = convolutionAlgorithm
        return copy
    }

    /// How the conv layers compute (see `ConvolutionAlgorithm`); im2col unless set.
    public var convolutionAlgorithm: ConvolutionAlgorithm = .im2col {
        didSet {
            for case let conv as Conv2D in layers { conv.algorithm = convolutionAlgorithm }
        }
    }

    /// Bounds on any network built here, checked before anything is allocated: a model
    /// file declares its own sizes, and a hostile one must not make us allocate gigabytes
    /// or overflow a size computation. The shipped model (208,982 parameters, 8 layers)
    /// is far inside every one.
    public enum Limits {
        public static let parameters = 50_000_000
        public static let layers = 64
        /// Input height and width; conv and pool windows are at most `window` on a side.
        public static let side = 4096
        public static let window = 64
        /// Input channels and conv filters.
        public static let channels = 4096
        public static let denseUnits = 1 << 20
        /// Floats per sample in the input or any layer's output, for the declared input.
        public static let activations = 1 << 24
        public static let nameLength = 64
    }

    init(inputShape: FeatureShape, specs: [LayerSpec], sharing: FloatBuffer?) throws(NetworkError) {
        try Self.checkBounds(inputShape: inputShape, specs: specs)
        self.inputShape = inputShape
        var layers: [Layer] = []
        var shape = inputShape
        var views: [TensorView] = []
        var offset = 0
        for spec in specs {
            let layer: Layer
            switch spec.kind {
            case .conv2d:
                let filters = spec.units!, size = spec.size!
                let conv = Conv2D(
                    name: spec.name, inputChannels: shape.channels, filters: filters,
                    kernel: (size[0], size[1]), activation: spec.activation ?? .linear)
                views.append(TensorView(name: spec.name + ".weight", shape: conv.weightShape, offset: offset))
                views.append(
                    TensorView(
                        name: spec.name + ".bias", shape: [filters], offset: offset + conv.parameterCount - filters))
                layer = conv
            case .maxpool2d:
                let size = spec.size!
                layer = MaxPool2D(name: spec.name, pool: (size[0], size[1]))
            case .flatten:
                layer = Flatten(name: spec.name)
            case .dense:
                let units = spec.units!
                let dense = Dense(
                    name: spec.name, inputs: shape.count, units: units, activation: spec.activation ?? .linear)
                views.append(TensorView(name: spec.name + ".weight", shape: dense.weightShape, offset: offset))
                views.append(
                    TensorView(name: spec.name + ".bias", shape: [units], offset: offset + dense.parameterCount - units)
                )
                layer = dense
            }
            guard !layers.contains(where: { $0.name == spec.name }) else {
                throw .badSpec(layer: spec.name, problem: "the name is used twice")
            }
            shape = try layer.outputShape(for: shape)
            offset += layer.parameterCount
            layers.append(layer)
        }
        self.layers = layers
        self.parameterCount = offset
        self.tensors = views
        parameters = sharing ?? FloatBuffer(capacity: offset)
        gradients = FloatBuffer(capacity: offset)
        var at = 0
        for layer in layers {
            layer.bind(parameters: parameters.pointer + at, gradients: gradients.pointer + at)
            at += layer.parameterCount
        }
    }

    /// Walks the specs with plain arithmetic (every product below fits in 64 bits given
    /// the bounds checked before it) and refuses anything outside `Limits`, so building
    /// the layers afterwards cannot allocate too much or trap.
    static func checkBounds(inputShape: FeatureShape, specs: [LayerSpec]) throws(NetworkError) {
        let input = [inputShape.height, inputShape.width, inputShape.channels]
        guard inputShape.height >= 1, inputShape.width >= 1, inputShape.channels >= 1,
            inputShape.height <= Limits.side, inputShape.width <= Limits.side,
            inputShape.channels <= Limits.channels
        else {
            throw .badNetwork(
                problem:
                    "input \(input) is outside 1...\(Limits.side) per side and 1...\(Limits.channels) channels")
        }
        guard inputShape.count <= Limits.activations else {
            throw .badNetwork(problem: "input \(inputShape) has more than \(Limits.activations) values")
        }
        guard !specs.isEmpty else { throw .badNetwork(problem: "it has no layers") }
        guard specs.count <= Limits.layers else {
            throw .badNetwork(problem: "it has \(specs.count) layers, more than the limit of \(Limits.layers)")
        }
        var shape = inputShape
        var total = 0
        for spec in specs {
            guard (1...Limits.nameLength).contains(spec.name.utf8.count),
                spec.name.unicodeScalars.allSatisfy({
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                        || $0 == "-"
                })
            else {
                throw .badSpec(
                    layer: "'\(spec.name.prefix(Limits.nameLength))'",
                    problem: "a name is 1...\(Limits.nameLength) letters, digits, '_' or '-'")
            }
            func window(_ what: String) throws(NetworkError) -> (Int, Int) {
                guard let size = spec.size, size.count == 2, size.allSatisfy({ (1...Limits.window).contains($0) })
                else {
                    throw .badSpec(
                        layer: spec.name, problem: "\(what) needs a size [h, w], each in 1...\(Limits.window)")
                }
                return (size[0], size[1])
            }
            var parameters = 0
            switch spec.kind {
            case .conv2d:
                guard let filters = spec.units, (1...Limits.channels).contains(filters) else {
                    throw .badSpec(layer: spec.name, problem: "conv2d needs a filter count in 1...\(Limits.channels)")
                }
                let (kh, kw) = try window("conv2d")
                guard shape.height >= kh, shape.width >= kw else {
                    throw .inputTooSmall(layer: spec.name, input: shape, needs: "at least \(kh)x\(kw)")
                }
                parameters = kh * kw * shape.channels * filters + filters
                shape = FeatureShape(height: shape.height - kh + 1, width: shape.width - kw + 1, channels: filters)
            case .maxpool2d:
                let (ph, pw) = try window("maxpool2d")
                guard shape.height >= ph, shape.width >= pw else {
                    throw .inputTooSmall(layer: spec.name, input: shape, needs: "at least \(ph)x\(pw)")
                }
                shape = FeatureShape(height: shape.height / ph, width: shape.width / pw, channels: shape.channels)
            case .flatten:
                shape = .vector(shape.count)
            case .dense:
                guard let units = spec.units, (1...Limits.denseUnits).contains(units) else {
                    throw .badSpec(layer: spec.name, problem: "dense needs a unit count in 1...\(Limits.denseUnits)")
                }
                parameters = shape.count * units + units
                shape = .vector(units)
            }
            guard shape.count <= Limits.activations else {
                throw .badSpec(
                    layer: spec.name,
                    problem: "its output \(shape) has more than \(Limits.activations) values per sample")
            }
            total += parameters
            guard parameters <= Limits.parameters, total <= Limits.parameters else {
                throw .badNetwork(
                    problem:
                        "it needs more than \(Limits.parameters) parameters (layer \(spec.name) has \(parameters))")
            }
        }
    }

    /// The seed's MNIST network: 208,982 parameters.
    public static func mnistCNN() -> Sequential {
        // Cannot throw: fixed specs that fit 28x28x1 (GeometryTests build it).
        try! Sequential(
            inputShape: FeatureShape(height: 28, width: 28, channels: 1),
            specs: [
                LayerSpec(name: "conv1", kind: .conv2d, units: 32, size: [3, 3], activation: .relu),
                LayerSpec(name: "pool1", kind: .maxpool2d, size: [2, 2]),
                LayerSpec(name: "conv2", kind: .conv2d, units: 64, size: [3, 3], activation: .relu),
                LayerSpec(name: "pool2", kind: .maxpool2d, size: [2, 2]),
                LayerSpec(name: "conv3", kind: .conv2d, units: 128, size: [3, 3], activation: .relu),
                LayerSpec(name: "flatten", kind: .flatten),
                LayerSpec(name: "dense1", kind: .dense, units: 100, activation: .relu),
                LayerSpec(name: "dense2", kind: .dense, units: 10, activation: .softmax),
            ])
    }

    public var specs: [LayerSpec] { layers.map(\.spec) }

    public func initialize(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var shape = inputShape
        for layer in layers {
            layer.initialize(inputShape: shape, using: &generator)
            shape = try! layer.outputShape(for: shape)  // cannot throw: checked when built
        }
    }

    /// The index of a layer by name (the seed's Keras names Conv2D_1..3, dense_14/15 too).
    public func layerIndex(named name: String) throws(NetworkError) -> Int {
        let aliases = [
            "conv2d_1": "conv1", "conv2d_2": "conv2", "conv2d_3": "conv3", "conv2d-1": "conv1",
            "conv2d-2": "conv2", "conv2d-3": "conv3", "dense_14": "dense1", "dense_15": "dense2",
            "max_pool_1": "pool1", "max_pool_2": "pool2",
        ]
        let key = aliases[name.lowercased()] ?? name
        guard let index = layers.firstIndex(where: { $0.name == key }) else {
            throw .unknownLayer(name: name, known: layers.map(\.name))
        }
        return index
    }

    /// Output shapes of layers 0...`lastLayer` (all by default) for an input of `shape`.
    public func outputShapes(for shape: FeatureShape, through lastLayer: Int? = nil) throws(NetworkError)
        -> [FeatureShape]
    {
        var result: [FeatureShape] = []
        var current = shape
        for layer in layers[0...(lastLayer ?? layers.count - 1)] {
            current = try layer.outputShape(for: current)
            result.append(current)
        }
        return result
    }

    /// Runs layers 0...`lastLayer` on `batch` samples of `shape` (NHWC).
    public func forward(
        _ samples: UnsafePointer<Float>, batch: Int, shape: FeatureShape? = nil,
        through lastLayer: Int? = nil
    ) throws(NetworkError) {
        let shape = shape ?? inputShape
        let last = lastLayer ?? layers.count - 1
        kernelCheck(batch >= 1, "Sequential.forward: batch \(batch) must be at least 1")
        kernelCheck(layers.indices.contains(last), "Sequential.forward: no layer \(last) in \(layers.count) layers")
        kernelCheck(
            !batch.multipliedReportingOverflow(by: shape.count).overflow,
            "Sequential.forward: batch \(batch) of \(shape) overflows")
        // Refilled in place (no allocation per step); a shape error leaves nothing to backprop.
        ranThrough = -1
        inputShapes.removeAll(keepingCapacity: true)
        var next = shape
        for i in 0...last {
            inputShapes.append(next)
            next = try layers[i].outputShape(for: next)
        }
        let x = input.reserve(batch * shape.count)
        x.update(from: samples, count: batch * shape.count)
        var current = UnsafePointer(x)
        for i in 0...last {
            layers[i].forward(current, shape: inputShapes[i], batch: batch)
            current = UnsafePointer(layers[i].output)
        }
        self.batch = batch
        ranThrough = last
    }

    /// Shape of layer `i`'s output in the last forward pass.
    public func outputShape(ofLayer i: Int) -> FeatureShape {
        try! layers[i].outputShape(for: inputShapes[i])  // cannot throw: checked by that forward pass
    }

    /// A gradient placed on one layer's output (or its pre-activation values).
    public struct GradientSeed {
        public var layer: Int
        public var gradient: UnsafePointer<Float>
        public var preActivation: Bool
        public init(layer: Int, gradient: UnsafePointer<Float>, preActivation: Bool) {
            self.layer = layer
            self.gradient = gradient
            self.preActivation = preActivation
        }
    }

    /// Backpropagates a single seed; see `backward(seeds:...)`.
    public func backward(
        from seedLayer: Int, seed: UnsafePointer<Float>, seedIsPreActivation: Bool = false,
        parameterGradients: Bool, inputGradient: UnsafeMutablePointer<Float>?
    ) {
        backward(
            seeds: [GradientSeed(layer: seedLayer, gradient: seed, preActivation: seedIsPreActivation)],
            parameterGradients: parameterGradients, inputGradient: inputGradient)
    }

    /// Backpropagates gradients placed on any layers' outputs or pre-activations (a
    /// weighted mix of objectives) down to the input. Parameter gradients accumulate into
    /// `gradients` when asked; the input gradient lands in `inputGradient` when given.
    public func backward(seeds: [GradientSeed], parameterGradients: Bool, inputGradient: UnsafeMutablePointer<Float>?) {
        let top = seeds.reduce(-1) { max($0, $1.layer) }
        guard top >= 0 else { return }
        kernelCheck(
            seeds.allSatisfy { (0...ranThrough).contains($0.layer) },
            "Sequential.backward: a seed on a layer the last forward pass did not reach (it ran layers 0...\(ranThrough))"
        )
        var dOutput = seedBuffer.reserve(batch * outputShape(ofLayer: top).count)
        dOutput.update(repeating: 0, count: batch * outputShape(ofLayer: top).count)
        var useA = true
        for i in stride(from: top, through: 0, by: -1) {
            let count = batch * outputShape(ofLayer: i).count
            for seed in seeds where seed.layer == i && !seed.preActivation {
                for k in 0..<count { dOutput[k] += seed.gradient[k] }
            }
            let seededBeforeActivation = seeds.contains { $0.layer == i && $0.preActivation }
            if seededBeforeActivation {
                layers[i].activationBackward(dOutput, count: count)
                for seed in seeds where seed.layer == i && seed.preActivation {
                    for k in 0..<count { dOutput[k] += seed.gradient[k] }
                }
            }
            let layerInput = i == 0 ? UnsafePointer(input.pointer) : UnsafePointer(layers[i - 1].output)
            let shape = inputShapes[i]
            let target: UnsafeMutablePointer<Float>?
            if i == 0 {
                target = inputGradient
            } else {
                target = (useA ? deltaA : deltaB).reserve(batch * shape.count)
                useA.toggle()
            }
            layers[i].backward(
                input: layerInput, shape: shape, batch: batch, outputGradient: dOutput,
                gradientIsPreActivation: seededBeforeActivation,
                inputGradient: target, parameterGradients: parameterGradients)
            if let target { dOutput = target }
        }
    }

    /// Call after changing `parameters` in place (an optimizer step): conv layers
    /// computing by Winograd re-transform their filters before the next forward pass.
    public func weightsChanged() {
        for case let conv as Conv2D in layers { conv.weightsChanged() }
    }

    public func zeroGradients() {
        gradients.pointer.update(repeating: 0, count: parameterCount)
        for case let conv as Conv2D in layers { conv.discardWeightGradient() }
    }

    /// With it set, Winograd conv layers sum their weight gradients in the transform
    /// domain over `backward` calls; `completeGradients()` must run before `gradients` is read.
    public var defersWeightGradients = false {
        didSet { for case let conv as Conv2D in layers { conv.defersWeightGradient = defersWeightGradients } }
    }

    /// Brings deferred weight gradients into `gradients`.
    public func completeGradients() {
        for case let conv as Conv2D in layers { conv.completeWeightGradient() }
    }

    public func parameterValues() -> [Float] { parameters.array(count: parameterCount) }

    public func setParameters(_ values: [Float]) {
        kernelCheck(
            values.count == parameterCount,
            "Sequential.setParameters: \(values.count) values for \(parameterCount) parameters")
        values.withUnsafeBufferPointer { parameters.pointer.update(from: $0.baseAddress!, count: parameterCount) }
    }

    /// Class probabilities (the last layer's output) for a batch of 28x28 images.
    public func predict(_ samples: [Float], batch: Int) throws(NetworkError) -> [Float] {
        kernelCheck(
            batch >= 1 && samples.count == batch * inputShape.count,
            "Sequential.predict: \(samples.count) values for \(batch) samples of \(inputShape)")
        try samples.withUnsafeBufferPointer { buffer throws(NetworkError) in
            try forward(buffer.baseAddress!, batch: batch)
        }
        let classes = layers.last!.spec.units ?? outputShape(ofLayer: layers.count - 1).count
        return Array(UnsafeBufferPointer(start: layers.last!.output, count: batch * classes))
    }
}
