import Dispatch
import NeuralNet

/// Evaluates a `DreamObjective` for a batch of images and its gradient with respect to
/// the pixels: one forward pass to the deepest term, one backward pass, the batch split
/// over the cores. Buffers are kept between calls, so a step allocates nothing.
public final class ObjectiveGradient {
    public let objective: DreamObjective
    private let parallel: DataParallel
    /// Per worker: seed buffers keyed by layer * 2 + (pre-activation ? 1 : 0).
    private var seedBuffers: [[Int: FloatBuffer]]
    private let gradient = FloatBuffer()
    private let lossBuffer = FloatBuffer()
    private let bandGradient = FloatBuffer()
    private var lastBatch = 0
    /// Per worker, the seed list rebuilt in place each pass (no allocation per step).
    private final class SeedList {
        var seeds: [Sequential.GradientSeed] = []
        var prepared: [Int] = []
    }
    private let seedLists: [SeedList]
    private var checkedShape: FeatureShape?

    public var model: Sequential { parallel.model }
    /// Receptive fields and strides for the band split.
    private let geometry: NetworkGeometry
    /// Tiles per pass within a worker's slice. Measured on 2 cores (Winograd, tiles preset
    /// 560x560): 2 -> 1.50 s, 4 -> 1.46, 8 -> 1.48, 16 -> 1.79.
    static let chunkSize = 4

    /// `workers`: cores to spread the batch over (fewer when several renders run at once).
    public init(model: Sequential, objective: DreamObjective, workers: Int = Parallelism.cores) {
        self.objective = objective
        geometry = model.geometry
        // Winograd: the weights stay fixed while dreaming, and the forward pass and the
        // input gradient are all the work (tiles preset 560x560: 1.8 s -> 1.4 s with it).
        parallel = DataParallel(model: model, workers: workers, convolution: .winograd)
        seedBuffers = parallel.replicas.map { _ in [:] }
        seedLists = parallel.replicas.map { _ in SeedList() }
        for worker in seedBuffers.indices {
            for term in objective.terms {
                seedBuffers[worker][term.layer * 2 + (term.usesPreActivation ? 1 : 0)] = FloatBuffer()
            }
        }
    }

    public var meanLoss: Float {
        var sum: Float = 0
        for i in 0..<lastBatch { sum += lossBuffer.pointer[i] }
        return sum / Float(max(lastBatch, 1))
    }

    /// Returns d(objective)/d(input) for the batch. The pointer is this evaluator's buffer:
    /// valid until the next `evaluate`, and only while the evaluator lives.
    public func evaluate(_ input: UnsafePointer<Float>, batch: Int, shape: FeatureShape) throws(NetworkError)
        -> UnsafePointer<Float>
    {
        if shape != checkedShape {
            _ = try model.outputShapes(for: shape, through: objective.deepestLayer)
            checkedShape = shape
        }
        let result = gradient.reserve(batch * shape.count)
        let losses = lossBuffer.reserve(batch)
        lastBatch = batch
        // One large image (conv mode) splits into horizontal bands, one per core, rather
        // than using OpenBLAS's threads (measured slower: 4.1 s against 3.1 s on one core).
        if batch == 1, parallel.replicas.count >= 2, let plan = bandPlan(for: shape) {
            evaluateBands(plan, input: input, shape: shape, gradient: result, losses: losses)
            return UnsafePointer(result)
        }
        let chunk = Self.chunkSize
        parallel.run(batch: batch, minimum: 2) { worker, replica, slice in
            // Small chunks keep each layer's activations in cache; the whole slice at once
            // would stream tens of megabytes through memory per layer.
            for start in stride(from: slice.lowerBound, to: slice.upperBound, by: chunk) {
                let count = min(chunk, slice.upperBound - start)
                evaluateSlice(
                    worker: worker, replica: replica, input: input + start * shape.count, batch: count,
                    shape: shape, gradient: result + start * shape.count, losses: losses + start)
            }
        }
        return UnsafePointer(result)
    }

    private func evaluateSlice(
        worker: Int, replica: Sequential, input: UnsafePointer<Float>, batch: Int, shape: FeatureShape,
        gradient: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>, band: Band? = nil
    ) {
        // Cannot throw: `evaluate` checked this shape (and `bandPlan` its bands' shapes)
        // through the deepest layer before any slice runs.
        try! replica.forward(input, batch: batch, shape: shape, through: objective.deepestLayer)
        losses.update(repeating: 0, count: batch)
        let scratch = seedLists[worker]
        scratch.seeds.removeAll(keepingCapacity: true)
        scratch.prepared.removeAll(keepingCapacity: true)
        for term in objective.terms {
            let key = term.layer * 2 + (term.usesPreActivation ? 1 : 0)
            let out = replica.outputShape(ofLayer: term.layer)
            let per = out.count
            let g = seedBuffers[worker][key]!.reserve(batch * per)
            if !scratch.prepared.contains(key) {
                g.update(repeating: 0, count: batch * per)
                scratch.prepared.append(key)
                scratch.seeds.append(.init(layer: term.layer, gradient: g, preActivation: term.usesPreActivation))
            }
            let layer = replica.layers[term.layer]
            let values = term.usesPreActivation ? layer.preActivation : layer.output
            let w = term.weight
            // A band owns some rows of the layer and normalises by the whole image's size.
            let rows = band?.ownedRows[term.layer] ?? 0..<out.height
            let positionRange = (rows.lowerBound * out.width)..<(rows.upperBound * out.width)
            let fullPositions = band?.fullPositions[term.layer] ?? out.height * out.width
            switch term.kind {
            case .mapMean(let map):
                let scale = w / Float(fullPositions)
                for n in 0..<batch {
                    var sum: Float = 0
                    for p in positionRange {
                        let i = n * per + p * out.channels + map
                        sum += values[i]
                        g[i] += scale
                    }
                    losses[n] += sum * scale
                }
            case .layerEnergy:
                let scale = w / Float(fullPositions * out.channels)
                for n in 0..<batch {
                    let first = n * per + positionRange.lowerBound * out.channels
                    let count = positionRange.count * out.channels
                    VectorKernels.axpy(2 * scale, values + first, into: g + first, count: count)
                    losses[n] += VectorKernels.sumOfSquares(values + first, count: count) * scale
                }
            case .unit(let unit):
                for n in 0..<batch {
                    losses[n] += w * values[n * per + unit]
                    g[n * per + unit] += w
                }
            }
        }
        replica.backward(seeds: scratch.seeds, parameterGradients: false, inputGradient: gradient)
    }
    /// A horizontal band of one large image: the rows of each term's layer it owns (in
    /// its own coordinates) and the whole image's position counts for normalising.
    struct Band {
        var firstRow: Int
        var rows: Int
        var ownedRows: [Int: Range<Int>]
        var fullPositions: [Int: Int]
    }

    /// Two bands meeting at a row that is a multiple of the network's total stride, so
    /// every conv and pool window of a band sits exactly where it does in the whole image;
    /// the upper band reaches one receptive field past the split. Each layer position is
    /// owned by the band its receptive field starts in, so the bands' gradients add up to
    /// the whole image's exactly. Nil when the image is too small to gain from it.
    func bandPlan(for shape: FeatureShape) -> [Band]? {
        guard !objective.needsFixedInput else { return nil }
        let deepest = geometry.layers[objective.deepestLayer]
        let reach = deepest.receptiveField.height, step = deepest.stride.height
        let split = (shape.height / 2 / step) * step
        guard split >= 2 * reach, shape.height - split >= 2 * reach else { return nil }
        let top = FeatureShape(height: min(shape.height, split + reach), width: shape.width, channels: shape.channels)
        let bottom = FeatureShape(height: shape.height - split, width: shape.width, channels: shape.channels)
        guard let full = try? model.outputShapes(for: shape, through: objective.deepestLayer),
            let upper = try? model.outputShapes(for: top, through: objective.deepestLayer),
            let lower = try? model.outputShapes(for: bottom, through: objective.deepestLayer)
        else { return nil }
        var topOwned: [Int: Range<Int>] = [:], bottomOwned: [Int: Range<Int>] = [:], positions: [Int: Int] = [:]
        for layer in Set(objective.terms.map(\.layer)) {
            let boundary = split / geometry.layers[layer].stride.height
            // The bands must tile the layer's rows exactly, or the split is not exact.
            guard upper[layer].height >= boundary, lower[layer].height + boundary == full[layer].height else {
                return nil
            }
            topOwned[layer] = 0..<boundary
            bottomOwned[layer] = 0..<lower[layer].height
            positions[layer] = full[layer].height * full[layer].width
        }
        return [
            Band(firstRow: 0, rows: top.height, ownedRows: topOwned, fullPositions: positions),
            Band(firstRow: split, rows: bottom.height, ownedRows: bottomOwned, fullPositions: positions),
        ]
    }

    private func evaluateBands(
        _ bands: [Band], input: UnsafePointer<Float>, shape: FeatureShape, gradient: UnsafeMutablePointer<Float>,
        losses: UnsafeMutablePointer<Float>
    ) {
        let width = shape.width
        let lower = bandGradient.reserve(bands[1].rows * width)
        var partial: [Float] = [0, 0]
        partial.withUnsafeMutableBufferPointer { partial in
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                let band = bands[k]
                evaluateSlice(
                    worker: k, replica: parallel.replicas[k], input: input + band.firstRow * width, batch: 1,
                    shape: FeatureShape(height: band.rows, width: width, channels: 1),
                    gradient: k == 0 ? gradient : lower, losses: partial.baseAddress! + k, band: band)
            }
        }
        // The upper band wrote rows 0..<rows0; add the lower band's rows from the split on.
        let split = bands[1].firstRow, upperEnd = bands[0].rows
        for row in split..<shape.height {
            let target = gradient + row * width, source = lower + (row - split) * width
            if row < upperEnd {
                for x in 0..<width { target[x] += source[x] }
            } else {
                target.update(from: source, count: width)
            }
        }
        losses[0] = partial[0] + partial[1]
    }
}
