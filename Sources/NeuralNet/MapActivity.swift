/// How strongly every map (conv filter or dense unit) of every conv and dense layer fires
/// over a set of probe images: its largest mean post-activation response to one image (the
/// measure the OIP sheets compare patterns with). A ReLU map whose largest response is
/// (nearly) zero is dead: almost no gradient reaches its filter, so SGD does not bring it back.
public struct MapActivity: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        /// Index in the model's `layers`.
        public var index: Int
        public var name: String
        /// Each map's largest response (mean over positions) to a probe image.
        public var maxima: [Float]
        /// Maps whose maximum is at or below `MapActivity.deadThreshold(maxima:)`.
        public var dead: [Int]
        public var maps: Int { maxima.count }
    }

    public var layers: [Layer]
    public var deadCount: Int { layers.reduce(0) { $0 + $1.dead.count } }

    /// A map is dead when it peaks at a ten-thousandth of its layer's busiest map (and never
    /// above 1e-7): float dust does not count as firing. The OIP sheets judge the test set
    /// by the same rule.
    public static func deadThreshold(maxima: [Float]) -> Float {
        max(1e-7, 1e-4 * (maxima.max() ?? 0))
    }

    /// The probe set of a training run: `size` distinct sample indices drawn by `seed`
    /// alone, in ascending order (so the probe never depends on the worker count).
    public static func probeIndices(count: Int, size: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed ^ 0xD1B5_4A32_D192_ED03)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        return order.prefix(min(size, count)).sorted()
    }

    /// Runs `indices` of `data` through `parallel`'s replicas (any worker count gives the
    /// same maxima: a maximum does not depend on the order it is taken in) and measures
    /// every conv and dense layer.
    public init(parallel: DataParallel, data: MNISTDataset, indices: [Int], chunk: Int = 16) {
        let model = parallel.model
        let measured = model.layers.indices.filter {
            model.layers[$0].spec.kind == .conv2d || model.layers[$0].spec.kind == .dense
        }
        // Cannot throw: the model was checked for its own input shape when built.
        let shapes = try! model.outputShapes(for: model.inputShape)
        let pixels = model.inputShape.count
        let chunks = (indices.count + chunk - 1) / chunk
        // One running maximum per worker and map, all layers end to end; merged afterwards.
        let offsets = measured.reduce(into: [0]) { $0.append($0.last! + shapes[$1].channels) }
        let width = offsets.last!, workers = parallel.replicas.count
        let top = UnsafeMutableBufferPointer<Float>.allocate(capacity: workers * width)
        top.initialize(repeating: -.infinity)
        defer { top.deallocate() }
        let input = FloatBuffer()
        let staged = input.reserve(indices.count * pixels)
        data.images.withUnsafeBufferPointer { images in
            for (n, index) in indices.enumerated() {
                (staged + n * pixels).update(from: images.baseAddress! + index * pixels, count: pixels)
            }
        }
        parallel.forEachChunk(chunks) { worker, replica, c in
            let start = c * chunk, n = min(chunk, indices.count - start)
            // Cannot throw: the input has the shape the model was checked for when built.
            try! replica.forward(staged + start * pixels, batch: n, through: measured.last!)
            for (k, layer) in measured.enumerated() {
                let channels = shapes[layer].channels
                let values = replica.layers[layer].output
                let slot = top.baseAddress! + worker * width + offsets[k]
                let positions = shapes[layer].count / channels
                var sums = [Float](repeating: 0, count: channels)
                for image in 0..<n {
                    for m in 0..<channels { sums[m] = 0 }
                    for p in 0..<positions {
                        let base = values + (image * positions + p) * channels
                        for m in 0..<channels { sums[m] += base[m] }
                    }
                    for m in 0..<channels { slot[m] = max(slot[m], sums[m] / Float(positions)) }
                }
            }
        }
        layers = measured.enumerated().map { k, layer in
            let maxima = (offsets[k]..<offsets[k + 1]).map { i in
                (0..<workers).reduce(-Float.infinity) { max($0, top[$1 * width + i]) }
            }
            let threshold = Self.deadThreshold(maxima: maxima)
            // Only ReLU maps can die; a linear or softmax output is never "silent".
            let canDie = model.layers[layer].spec.activation == .relu
            return Layer(
                index: layer, name: model.layers[layer].name, maxima: maxima,
                dead: canDie ? maxima.indices.filter { maxima[$0] <= threshold } : [])
        }
    }

    /// "conv1 0/32, conv2 2/64, ...": dead maps per layer that can die.
    public var summary: String {
        layers.map { "\($0.name) \($0.dead.count)/\($0.maps)" }.joined(separator: ", ")
    }
}
