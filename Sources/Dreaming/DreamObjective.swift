import NeuralNet

/// A weighted mix of what the dream raises: maps, whole layers, a class score, the
/// likeness to a guide picture.
public struct DreamObjective: Sendable {
    public struct Term: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Mean pre-activation of one map (pre-ReLU, so a silent map still has a gradient).
            case mapMean(Int)
            /// Mean squared activation over the whole layer (the classic DeepDream loss).
            case layerEnergy
            /// The logit of one unit of a dense layer (before softmax).
            case unit(Int)
            /// Likeness to a guide (the guided objective of the original DeepDream notebook):
            /// at each position, the largest dot product of the layer's activation vector
            /// with one of the guide's feature vectors, summed and divided by positions x
            /// channels (so a dream whose features equal the guide's scores its layer energy).
            case guide(DreamGuide.Features)
        }
        public var layer: Int
        public var kind: Kind
        public var weight: Float
        var usesPreActivation: Bool {
            switch kind {
            case .layerEnergy, .guide: false
            case .mapMean, .unit: true
            }
        }
    }

    public let terms: [Term]
    /// The deepest layer any term reads; the forward pass stops there.
    public let deepestLayer: Int
    /// Whether any term sits at or behind a dense layer, which needs the trained input size.
    public let needsFixedInput: Bool
    public let layerNames: [String]
    /// The guide's name, when there is a guide term.
    public let guideSource: String?

    /// "map 3 of pool1 + conv3 x 0.5" for messages.
    public func describeTerms() -> String {
        terms.map { term in
            switch term.kind {
            case .mapMean(let map): "map \(map) of \(layerNames[term.layer])"
            case .unit(let unit): "unit \(unit) of \(layerNames[term.layer])"
            case .layerEnergy: "\(layerNames[term.layer]) x \(term.weight)"
            case .guide: "guide \(guideSource ?? "") at \(layerNames[term.layer]) x \(term.weight)"
            }
        }.joined(separator: " + ")
    }

    /// `guide`: `settings.guide` loaded (`DreamGuide.load`), when the settings have one;
    /// its features are computed here, once, at the network's input size.
    public init(settings: DreamSettings, model: Sequential, guide: DreamGuide? = nil) throws(DreamError) {
        var terms: [Term] = []
        func index(_ name: String, key: String = "layer") throws(DreamError) -> Int {
            do {
                return try model.layerIndex(named: name)
            } catch {
                throw .invalidSetting(key: key, problem: error.errorDescription ?? "unknown layer \(name)")
            }
        }
        // Cannot throw: a Sequential is only built when its input shape passes every layer.
        let shapes = try! model.outputShapes(for: model.inputShape)
        if !settings.maps.isEmpty {
            let layer = try index(settings.layer)
            let count = shapes[layer].channels
            for entry in settings.maps.entries {
                guard (0..<count).contains(entry.map) else {
                    throw .mapOutOfRange(layer: model.layers[layer].name, map: entry.map, count: count)
                }
            }
            // In map order whatever order they were given in: the same sums, the same bytes.
            for entry in settings.maps.entries.sorted(by: { $0.map < $1.map }) where entry.weight != 0 {
                let map = entry.map
                terms.append(
                    Term(layer: layer, kind: shapes[layer].isVector ? .unit(map) : .mapMean(map), weight: entry.weight))
            }
        }
        for (name, weight) in settings.layers.sorted(by: { $0.key < $1.key }) where weight != 0 {
            terms.append(Term(layer: try index(name), kind: .layerEnergy, weight: weight))
        }
        if let classIndex = settings.classIndex {
            let last = model.layers.count - 1
            let count = shapes[last].count
            guard (0..<count).contains(classIndex) else { throw .classOutOfRange(index: classIndex, count: count) }
            terms.append(Term(layer: last, kind: .unit(classIndex), weight: 1))
        }
        if let source = settings.guide, settings.guideWeight != 0 {
            guard let guide, guide.source == source else {
                throw .invalidSetting(key: "guide", problem: "'\(source)' was not loaded; load it with DreamGuide.load")
            }
            let layer = try index(settings.guideLayer, key: "guideLayer")
            terms.append(
                Term(
                    layer: layer, kind: .guide(try guide.features(model: model, layer: layer)),
                    weight: settings.guideWeight))
        }
        guideSource = settings.guide
        guard !terms.isEmpty else {
            throw .invalidSetting(key: "maps", problem: "the objective is empty: give maps, layers or a class")
        }
        self.terms = terms
        deepestLayer = terms.map(\.layer).max()!
        needsFixedInput = deepestLayer >= model.geometry.firstFixedLayer ?? model.layers.count
        layerNames = model.layers.map(\.name)
    }
}
