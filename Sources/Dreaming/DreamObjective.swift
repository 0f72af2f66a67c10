import NeuralNet

/// A weighted mix of what the dream raises: maps, whole layers, a class score.
public struct DreamObjective: Sendable {
    public struct Term: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Mean pre-activation of one map (pre-ReLU, so a silent map still has a gradient).
            case mapMean(Int)
            /// Mean squared activation over the whole layer (the classic DeepDream loss).
            case layerEnergy
            /// The logit of one unit of a dense layer (before softmax).
            case unit(Int)
        }
        public var layer: Int
        public var kind: Kind
        public var weight: Float
        var usesPreActivation: Bool { if case .layerEnergy = kind { false } else { true } }
    }

    public let terms: [Term]
    /// The deepest layer any term reads; the forward pass stops there.
    public let deepestLayer: Int
    /// Whether any term sits at or behind a dense layer, which needs the trained input size.
    public let needsFixedInput: Bool
    public let layerNames: [String]

    /// "map 3 of pool1 + conv3 x 0.5" for messages.
    public func describeTerms() -> String {
        terms.map { term in
            switch term.kind {
            case .mapMean(let map): "map \(map) of \(layerNames[term.layer])"
            case .unit(let unit): "unit \(unit) of \(layerNames[term.layer])"
            case .layerEnergy: "\(layerNames[term.layer]) x \(term.weight)"
            }
        }.joined(separator: " + ")
    }

    public init(settings: DreamSettings, model: Sequential) throws(DreamError) {
        var terms: [Term] = []
        func index(_ name: String) throws(DreamError) -> Int {
            do {
                return try model.layerIndex(named: name)
            } catch {
                throw .invalidSetting(key: "layer", problem: error.errorDescription ?? "unknown layer \(name)")
            }
        }
        // Cannot throw: a Sequential is only built when its input shape passes every layer.
        let shapes = try! model.outputShapes(for: model.inputShape)
        if !settings.maps.isEmpty {
            let layer = try index(settings.layer)
            let count = shapes[layer].channels
            for map in settings.maps {
                guard (0..<count).contains(map) else {
                    throw .mapOutOfRange(layer: model.layers[layer].name, map: map, count: count)
                }
                terms.append(Term(layer: layer, kind: shapes[layer].isVector ? .unit(map) : .mapMean(map), weight: 1))
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
        guard !terms.isEmpty else {
            throw .invalidSetting(key: "maps", problem: "the objective is empty: give maps, layers or a class")
        }
        self.terms = terms
        deepestLayer = terms.map(\.layer).max()!
        needsFixedInput = deepestLayer >= model.geometry.firstFixedLayer ?? model.layers.count
        layerNames = model.layers.map(\.name)
    }
}
