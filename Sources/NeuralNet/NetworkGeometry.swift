/// What a network's layers do to space, read from its layer specs: the input it was
/// trained on, how much of the input each layer's output positions see (receptive
/// field), how far apart neighbouring positions sit in the input (stride), and the
/// smallest input that still reaches each layer. Everything outside NeuralNet asks this
/// instead of assuming 28x28.
public struct NetworkGeometry: Sendable, Equatable {
    /// A height and a width in input pixels.
    public struct Extent: Sendable, Equatable, CustomStringConvertible {
        public var height: Int
        public var width: Int
        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
        /// Width first, like image sizes.
        public var description: String { "\(width)x\(height)" }
    }

    public struct LayerGeometry: Sendable, Equatable {
        /// Input pixels one output position depends on (the whole input from the first
        /// vector layer on).
        public var receptiveField: Extent
        /// Input pixels between neighbouring output positions.
        public var stride: Extent
        /// The smallest input that reaches this layer with at least one position; from
        /// the first vector layer on, the trained input (the only size promised to work,
        /// though pooling's floor may let a few neighbouring sizes through).
        public var minimumInput: Extent
        /// Whether the layer takes only inputs of the trained size (it or a layer before
        /// it is dense or flattens).
        public var needsFixedInput: Bool
    }

    /// The input shape the network was trained on.
    public let inputShape: FeatureShape
    public let layers: [LayerGeometry]

    /// Input values per sample (height x width x channels).
    public var inputCount: Int { inputShape.count }
    /// The trained input's extent: the tile size of the tiled views.
    public var inputExtent: Extent { Extent(height: inputShape.height, width: inputShape.width) }
    /// The first layer that needs the trained input size, if any.
    public var firstFixedLayer: Int? { layers.firstIndex(where: \.needsFixedInput) }

    /// Walks the specs: valid convolutions (stride 1) widen the field by kernel - 1 input
    /// strides, pools by window - 1 and multiply the stride by their window (they floor,
    /// so the smallest input reaching a layer is exactly its receptive field).
    public init(inputShape: FeatureShape, specs: [LayerSpec]) {
        self.inputShape = inputShape
        var field = Extent(height: 1, width: 1), stride = Extent(height: 1, width: 1)
        var fixed = false
        var layers: [LayerGeometry] = []
        for spec in specs {
            let size = spec.size ?? [1, 1]
            let (kh, kw) = size.count == 2 ? (size[0], size[1]) : (1, 1)
            switch spec.kind {
            case .conv2d:
                field.height += (kh - 1) * stride.height
                field.width += (kw - 1) * stride.width
            case .maxpool2d:
                field.height += (kh - 1) * stride.height
                field.width += (kw - 1) * stride.width
                stride.height *= kh
                stride.width *= kw
            case .flatten, .dense:
                fixed = true
            }
            if fixed {
                let whole = Extent(height: inputShape.height, width: inputShape.width)
                layers.append(
                    LayerGeometry(receptiveField: whole, stride: whole, minimumInput: whole, needsFixedInput: true))
            } else {
                layers.append(
                    LayerGeometry(receptiveField: field, stride: stride, minimumInput: field, needsFixedInput: false))
            }
        }
        self.layers = layers
    }
}

extension Sequential {
    /// The network's geometry (see `NetworkGeometry`).
    public var geometry: NetworkGeometry { NetworkGeometry(inputShape: inputShape, specs: specs) }
}
