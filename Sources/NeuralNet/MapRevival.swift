/// Brings dead ReLU maps back: a dead map's filter gets a fresh He-initialised filter
/// (and `bias`), the weights that read the map in the next conv or dense layer are scaled
/// by `consumerScale` (0: the network computes exactly what it did, since the dead map
/// gave 0 on the data; the consumers then learn to read the new map), and the momentum
/// of every parameter touched starts from zero. Deterministic: the new filters come from
/// `seed` and the order of the maps alone.
public struct MapRevival: Sendable, Equatable {
    public var bias: Float = 0.05
    public var consumerScale: Float = 0
    public init(bias: Float = 0.05, consumerScale: Float = 0) {
        self.bias = bias
        self.consumerScale = consumerScale
    }

    /// Revives `activity`'s dead maps in `model` (a layer without a parameterised layer
    /// after it is left alone); returns the maps revived per layer name.
    @discardableResult
    public func revive(
        _ activity: MapActivity, in model: Sequential, velocity: UnsafeMutablePointer<Float>?, seed: UInt64
    ) -> [String: [Int]] {
        var generator = SeededGenerator(seed: seed)
        // Cannot throw: the model was checked for its own input shape when built.
        let shapes = try! model.outputShapes(for: model.inputShape)
        var offsets: [Int] = []
        var at = 0
        for layer in model.layers {
            offsets.append(at)
            at += layer.parameterCount
        }
        let w = model.parameters.pointer
        var revived: [String: [Int]] = [:]
        for entry in activity.layers where !entry.dead.isEmpty {
            let i = entry.index
            guard
                let consumer = model.layers.indices.dropFirst(i + 1).first(where: {
                    model.layers[$0].parameterCount > 0
                })
            else { continue }
            let maps = shapes[i].channels
            // Filter f of a conv or dense layer: weights [fanIn, maps] then biases [maps].
            let fanIn = (model.layers[i].parameterCount - maps) / maps
            let std = Float((2.0 / Double(fanIn)).squareRoot())
            // The consumer reads channel f at each of its rows r with r % maps == f: a conv's
            // [kh, kw, maps, out] kernel, or a dense layer's [positions * maps, out] weights
            // after a flatten in (H, W, C) order.
            let outputs = shapes[consumer].channels
            let consumerRows = (model.layers[consumer].parameterCount - outputs) / outputs
            for f in entry.dead {
                var touched: [Int] = []
                for row in 0..<fanIn {
                    let k = offsets[i] + row * maps + f
                    w[k] = std * normalSample(using: &generator)
                    touched.append(k)
                }
                w[offsets[i] + fanIn * maps + f] = bias
                touched.append(offsets[i] + fanIn * maps + f)
                for row in stride(from: f, to: consumerRows, by: maps) {
                    for o in 0..<outputs {
                        let k = offsets[consumer] + row * outputs + o
                        w[k] *= consumerScale
                        touched.append(k)
                    }
                }
                if let velocity { for k in touched { velocity[k] = 0 } }
            }
            revived[entry.name] = entry.dead
        }
        return revived
    }
}
