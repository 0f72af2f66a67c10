import NeuralNet

/// Evaluates a `DreamObjective` for a batch of images and its gradient with respect to
/// the pixels: one forward pass to the deepest term, one backward pass. Buffers are kept
/// between calls, so a step allocates nothing.
public final class ObjectiveGradient {
    public let model: Sequential
    public let objective: DreamObjective
    private var seedBuffers: [Int: FloatBuffer] = [:]  // key: layer * 2 + (pre ? 1 : 0)
    private let gradient = FloatBuffer()
    public private(set) var losses: [Float] = []

    public init(model: Sequential, objective: DreamObjective) {
        self.model = model
        self.objective = objective
    }

    /// Per-sample objective values land in `losses`; the returned pointer holds
    /// d(objective)/d(input) for the batch (valid until the next call).
    public func evaluate(_ input: UnsafePointer<Float>, batch: Int, shape: FeatureShape) throws(NetworkError) -> UnsafePointer<Float> {
        try model.forward(input, batch: batch, shape: shape, through: objective.deepestLayer)
        losses = [Float](repeating: 0, count: batch)
        var seeds: [Sequential.GradientSeed] = []
        var prepared = Set<Int>()
        for term in objective.terms {
            let key = term.layer * 2 + (term.usesPreActivation ? 1 : 0)
            let out = model.outputShape(ofLayer: term.layer)
            let count = batch * out.count
            let buffer = seedBuffers[key] ?? FloatBuffer()
            seedBuffers[key] = buffer
            let g = buffer.reserve(count)
            if !prepared.contains(key) {
                g.update(repeating: 0, count: count)
                prepared.insert(key)
                seeds.append(.init(layer: term.layer, gradient: g, preActivation: term.usesPreActivation))
            }
            let layer = model.layers[term.layer]
            let values = term.usesPreActivation ? layer.preActivation : layer.output
            let w = term.weight
            let per = out.count
            switch term.kind {
            case .mapMean(let map):
                let positions = out.height * out.width
                let scale = w / Float(positions)
                for n in 0..<batch {
                    var sum: Float = 0
                    for p in 0..<positions {
                        let i = n * per + p * out.channels + map
                        sum += values[i]
                        g[i] += scale
                    }
                    losses[n] += sum * scale
                }
            case .layerEnergy:
                let scale = w / Float(per)
                for n in 0..<batch {
                    var sum: Float = 0
                    for i in n * per..<(n + 1) * per {
                        let a = values[i]
                        sum += a * a
                        g[i] += 2 * scale * a
                    }
                    losses[n] += sum * scale
                }
            case .unit(let unit):
                for n in 0..<batch {
                    losses[n] += w * values[n * per + unit]
                    g[n * per + unit] += w
                }
            }
        }
        let result = gradient.reserve(batch * shape.count)
        model.backward(seeds: seeds, parameterGradients: false, inputGradient: result)
        return UnsafePointer(result)
    }
}
