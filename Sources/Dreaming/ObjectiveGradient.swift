import Dispatch
import NeuralNet

/// Evaluates a `DreamObjective` for a batch of images and its gradient with respect to
/// the pixels: one forward pass to the deepest term, one backward pass, the work spread
/// over the cores. Buffers are kept between calls, so a step allocates nothing.
///
/// The work is cut the same way whatever the worker count (tiles in chunks of
/// `chunkSize`, a large image in blocks decided by its size alone) and every sum runs in
/// a fixed order, so the result is the same bytes on any number of cores.
public final class ObjectiveGradient {
    public let objective: DreamObjective
    private let parallel: DataParallel
    /// Per worker: seed buffers keyed by layer * 2 + (pre-activation ? 1 : 0).
    private var seedBuffers: [[Int: FloatBuffer]]
    private let gradient = FloatBuffer()
    private let lossBuffer = FloatBuffer()
    /// Per worker: one block's input and its input gradient.
    private let blockInputs: [FloatBuffer]
    private let blockGradients: [FloatBuffer]
    private let blockLosses = FloatBuffer()
    /// Per worker: the guide term's dot products (positions x guide positions).
    private let guideScores: [FloatBuffer]
    private var lastBatch = 0
    /// Per worker, the seed list rebuilt in place each pass (no allocation per step).
    private final class SeedList {
        var seeds: [Sequential.GradientSeed] = []
        var prepared: [Int] = []
    }
    private let seedLists: [SeedList]
    private var checkedShape: FeatureShape?
    private var checkedPlan: BlockPlan?

    public var model: Sequential { parallel.model }
    /// Receptive fields and strides for the block plan.
    private let geometry: NetworkGeometry
    /// Workers this evaluator spreads its chunks and blocks over.
    public var workers: Int { parallel.replicas.count }
    /// Tiles per pass, at fixed positions in the batch (samples 4k..<4k+4): small chunks
    /// keep each layer's activations in cache, and fixed ones make every GEMM the same
    /// shape on any worker count. Measured on 2 cores, 400 tiles (im2col): 2 -> 7,700
    /// tile-steps/s, 4 -> 8,150, 8 -> 7,780, 32 -> 7,320; Winograd, tiles preset 560x560:
    /// 2 -> 1.50 s, 4 -> 1.46, 8 -> 1.48, 16 -> 1.79.
    public static let chunkSize = 4
    /// Largest side of a block's own part (its halo comes on top) when a large image is
    /// cut into blocks: bounds the activations a worker holds, whatever the image size.
    static let defaultBlockSide = 128
    /// `defaultBlockSide`; the tests cut small images into many blocks with a smaller one.
    var blockSide = ObjectiveGradient.defaultBlockSide {
        didSet { checkedShape = nil }
    }
    /// Memory the blocks in flight may hold together; fewer blocks run at once on a
    /// machine with many cores rather than more memory per render.
    static let blockBudget = 160 << 20

    /// `workers`: cores to spread the work over (fewer when several renders run at once).
    public init(model: Sequential, objective: DreamObjective, workers: Int = Parallelism.cores) {
        self.objective = objective
        geometry = model.geometry
        // Winograd: the weights stay fixed while dreaming, and the forward pass and the
        // input gradient are all the work (tiles preset 560x560: 1.8 s -> 1.4 s with it).
        parallel = DataParallel(model: model, workers: workers, convolution: .winograd)
        seedBuffers = parallel.replicas.map { _ in [:] }
        seedLists = parallel.replicas.map { _ in SeedList() }
        blockInputs = parallel.replicas.map { _ in FloatBuffer() }
        blockGradients = parallel.replicas.map { _ in FloatBuffer() }
        guideScores = parallel.replicas.map { _ in FloatBuffer() }
        for worker in seedBuffers.indices {
            for term in objective.terms {
                seedBuffers[worker][term.layer * 2 + (term.usesPreActivation ? 1 : 0)] = FloatBuffer()
            }
        }
    }

    /// When set, item `n` of a batch raises map (or unit) `itemMaps[n]` of the objective's
    /// map term's layer instead of the term's own: one batch renders one dream per map.
    public var itemMaps: [Int]? {
        didSet { itemMapBuffer = itemMaps ?? [] }
    }
    private var itemMapBuffer: [Int] = []

    /// The objective of item `n` of the last batch.
    public func loss(ofItem n: Int) -> Float { lossBuffer.pointer[n] }

    /// The sum of the last call's per-image objectives, added in image order.
    public private(set) var lossSum: Float = 0

    public var meanLoss: Float { lossSum / Float(max(lastBatch, 1)) }

    /// The last call's objective per image.
    public var losses: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: lossBuffer.pointer, count: lastBatch) }

    /// Frees the image-sized buffers (the gradient, the blocks'); the next call
    /// allocates them again.
    public func releaseBuffers() {
        for buffer in [gradient, lossBuffer, blockLosses] + blockInputs + blockGradients + guideScores {
            buffer.release()
        }
        lastBatch = 0
        lossSum = 0
    }

    /// Returns d(objective)/d(input) for the batch. The pointer is this evaluator's buffer:
    /// valid until the next `evaluate`, and only while the evaluator lives.
    public func evaluate(_ input: UnsafePointer<Float>, batch: Int, shape: FeatureShape) throws(NetworkError)
        -> UnsafePointer<Float>
    {
        if shape != checkedShape {
            _ = try model.outputShapes(for: shape, through: objective.deepestLayer)
            checkedPlan = blockPlan(for: shape)
            checkedShape = shape
        }
        let result = gradient.reserve(batch * shape.count)
        let losses = lossBuffer.reserve(batch)
        lastBatch = batch
        // One large image (conv mode) is cut into blocks rather than left to OpenBLAS's
        // threads (measured slower: 4.1 s against 3.1 s on one core).
        if batch == 1, let plan = checkedPlan, plan.blocks.count > 1 {
            evaluateBlocks(plan, input: input, shape: shape, gradient: result, losses: losses)
        } else {
            let chunk = Self.chunkSize
            parallel.forEachChunk((batch + chunk - 1) / chunk) { worker, replica, k in
                let start = k * chunk, count = min(chunk, batch - start)
                evaluateSlice(
                    worker: worker, replica: replica, input: input + start * shape.count, batch: count,
                    shape: shape, gradient: result + start * shape.count, losses: losses + start, first: start)
            }
        }
        var sum: Float = 0
        for i in 0..<batch { sum += losses[i] }
        lossSum = sum
        return UnsafePointer(result)
    }

    private func evaluateSlice(
        worker: Int, replica: Sequential, input: UnsafePointer<Float>, batch: Int, shape: FeatureShape,
        gradient: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>, block: Block? = nil,
        fullPositions: [Int: Int]? = nil, first: Int = 0
    ) {
        let perItem = !itemMapBuffer.isEmpty
        // Cannot throw: `evaluate` checked this shape (and `blockPlan` its blocks' shapes)
        // through the deepest layer before any slice runs.
        // Cannot throw: the input has the shape the model was checked for when built.
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
            // A block owns some positions of the layer and normalises by the whole image's count.
            let rows = block?.ownedRows[term.layer] ?? 0..<out.height
            let columns = block?.ownedColumns[term.layer] ?? 0..<out.width
            let positions = fullPositions?[term.layer] ?? out.height * out.width
            switch term.kind {
            case .mapMean(let map):
                let scale = w / Float(positions)
                for n in 0..<batch {
                    let map = perItem ? itemMapBuffer[first + n] : map
                    var sum: Float = 0
                    for y in rows {
                        for x in columns {
                            let i = n * per + (y * out.width + x) * out.channels + map
                            sum += values[i]
                            g[i] += scale
                        }
                    }
                    losses[n] += sum * scale
                }
            case .layerEnergy:
                let scale = w / Float(positions * out.channels)
                let count = columns.count * out.channels
                for n in 0..<batch {
                    var sum: Float = 0
                    for y in rows {
                        let first = n * per + (y * out.width + columns.lowerBound) * out.channels
                        VectorKernels.axpy(2 * scale, values + first, into: g + first, count: count)
                        sum += VectorKernels.sumOfSquares(values + first, count: count)
                    }
                    losses[n] += sum * scale
                }
            case .unit(let unit):
                for n in 0..<batch {
                    let unit = perItem ? itemMapBuffer[first + n] : unit
                    losses[n] += w * values[n * per + unit]
                    g[n * per + unit] += w
                }
            case .guide(let guide):
                let channels = out.channels, width = out.width
                let scale = w / Float(positions * channels)
                // The owned rows' positions (whole rows: one product) against every guide vector.
                let count = rows.count * width
                let scores = guideScores[worker].reserve(max(count * guide.positions, 1))
                guide.values.withUnsafeBufferPointer { features in
                    let features = features.baseAddress!
                    for n in 0..<batch {
                        let start = n * per + rows.lowerBound * width * channels
                        BLAS.multiplyTransposed(
                            values + start, rows: count, by: features, rows: guide.positions, columns: channels,
                            into: scores)
                        var sum: Float = 0
                        for y in 0..<rows.count {
                            for x in columns {
                                let p = y * width + x
                                let row = scores + p * guide.positions
                                // The most similar guide vector (the first of equals).
                                var best = 0
                                for q in 1..<guide.positions where row[q] > row[best] { best = q }
                                sum += row[best]
                                VectorKernels.axpy(
                                    scale, features + best * channels, into: g + start + p * channels, count: channels)
                            }
                        }
                        losses[n] += sum * scale
                    }
                }
            }
        }
        replica.backward(seeds: scratch.seeds, parameterGradients: false, inputGradient: gradient)
    }

    /// A rectangle of one large image: the input it reads (its own part plus the halo the
    /// receptive field needs below and to the right) and, per term layer, the output
    /// positions it owns, in its own coordinates.
    struct Block: Equatable {
        var rows: Range<Int>
        var columns: Range<Int>
        var ownedRows: [Int: Range<Int>]
        var ownedColumns: [Int: Range<Int>]
        /// The network's input channels (interleaved in every row).
        var channels = 1
        var shape: FeatureShape { FeatureShape(height: rows.count, width: columns.count, channels: channels) }
    }

    /// Blocks in raster order, and per term layer the whole image's position count.
    struct BlockPlan {
        var blocks: [Block]
        var fullPositions: [Int: Int]
        /// Blocks evaluated at once: as many as there are workers, within `blockBudget`.
        var concurrency: Int
    }

    /// Cuts an image into blocks of at most `blockSide` (plus halo) a side, decided by the
    /// image's size alone. Cuts fall on multiples of the network's total stride, so every
    /// conv and pool window of a block sits exactly where it does in the whole image; each
    /// layer position is owned by the block its receptive field starts in, so the blocks'
    /// objectives add up to the whole image's and their gradients (added where the halos
    /// overlap) to its gradient. Nil for objectives that need the fixed input size.
    func blockPlan(for shape: FeatureShape) -> BlockPlan? {
        guard !objective.needsFixedInput,
            let full = try? model.outputShapes(for: shape, through: objective.deepestLayer)
        else { return nil }
        // Receptive field size and stride per axis: at the deepest layer, and at each layer.
        let deepest = geometry.layers[objective.deepestLayer]
        let field = (deepest.receptiveField.height, deepest.receptiveField.width)
        let stride = (deepest.stride.height, deepest.stride.width)
        let strides = geometry.layers.map { ($0.stride.height, $0.stride.width) }
        // A layer's output row j needs input rows up to j * s + f - 1: a block whose own
        // part ends at b needs b + f - s rows (f - s only grows with depth).
        let halo = (field.0 - stride.0, field.1 - stride.1)
        func cuts(_ length: Int, _ step: Int, _ field: Int) -> [Int] {
            let side = max(blockSide, 2 * field + step)
            let parts = max(1, (length + side - 1) / side)
            return (0..<parts).map { ($0 * length / parts) / step * step } + [length]
        }
        let rowCuts = cuts(shape.height, stride.0, field.0), columnCuts = cuts(shape.width, stride.1, field.1)
        let terms = Set(objective.terms.map(\.layer))
        // Owned output positions of `layer` along one axis for the part [a, b) of `length`.
        func owned(_ a: Int, _ b: Int, _ length: Int, _ s: Int, _ fullCount: Int) -> Range<Int> {
            let end = b == length ? fullCount : min(b / s, fullCount)
            return 0..<max(end - a / s, 0)
        }
        var blocks: [Block] = []
        for r in 0..<(rowCuts.count - 1) {
            for c in 0..<(columnCuts.count - 1) {
                let (top, bottom) = (rowCuts[r], rowCuts[r + 1]), (left, right) = (columnCuts[c], columnCuts[c + 1])
                var block = Block(
                    rows: top..<min(shape.height, bottom + halo.0), columns: left..<min(shape.width, right + halo.1),
                    ownedRows: [:], ownedColumns: [:], channels: shape.channels)
                guard let local = try? model.outputShapes(for: block.shape, through: objective.deepestLayer)
                else { return nil }
                for layer in terms {
                    let (s, f) = (strides[layer], full[layer])
                    let rows = owned(top, bottom, shape.height, s.0, f.height)
                    let columns = owned(left, right, shape.width, s.1, f.width)
                    // The blocks must tile the layer exactly, or the cut is not exact.
                    guard rows.upperBound <= local[layer].height, columns.upperBound <= local[layer].width else {
                        return nil
                    }
                    block.ownedRows[layer] = rows
                    block.ownedColumns[layer] = columns
                }
                blocks.append(block)
            }
        }
        let largest = blocks.map { workingBytes(for: $0.shape) }.max() ?? 1
        return BlockPlan(
            blocks: blocks,
            fullPositions: Dictionary(uniqueKeysWithValues: terms.map { ($0, full[$0].height * full[$0].width) }),
            concurrency: max(1, min(workers, blocks.count, Self.blockBudget / max(largest, 1))))
    }

    /// Bytes one worker holds to evaluate one image of `shape`: its input and gradient,
    /// every layer's activations (conv layers keep pre- and post-activation values), the
    /// backward pass's two delta buffers and the seeds.
    func workingBytes(for shape: FeatureShape) -> Int {
        guard let shapes = try? model.outputShapes(for: shape, through: objective.deepestLayer) else { return 0 }
        var floats = 4 * shape.count
        var largestInput = shape.count
        for (i, out) in shapes.enumerated() {
            floats += out.count * (model.layers[i].spec.kind == .conv2d ? 2 : 1)
            if i > 0 { largestInput = max(largestInput, shapes[i - 1].count) }
        }
        floats += 2 * largestInput + shapes[objective.deepestLayer].count
        floats += Set(objective.terms.map(\.layer)).reduce(0) { $0 + shapes[$1].count }
        return 4 * floats
    }

    /// Evaluates the blocks `concurrency` at a time, each on its own worker, then adds their
    /// gradients into the image's in block order: the same sums whatever the worker count.
    private func evaluateBlocks(
        _ plan: BlockPlan, input: UnsafePointer<Float>, shape: FeatureShape, gradient: UnsafeMutablePointer<Float>,
        losses: UnsafeMutablePointer<Float>
    ) {
        // Rows in values: channels are interleaved.
        let width = shape.width * shape.channels, channels = shape.channels
        gradient.update(repeating: 0, count: shape.count)
        let partial = blockLosses.reserve(plan.blocks.count)
        let blocks = plan.blocks
        for wave in stride(from: 0, to: blocks.count, by: plan.concurrency) {
            let count = min(plan.concurrency, blocks.count - wave)
            let run = { (slot: Int) in
                let block = blocks[wave + slot]
                let rowWidth = block.columns.count * channels
                let x = self.blockInputs[slot].reserve(block.rows.count * rowWidth)
                for (k, row) in block.rows.enumerated() {
                    x.advanced(by: k * rowWidth).update(
                        from: input + row * width + block.columns.lowerBound * channels, count: rowWidth)
                }
                self.evaluateSlice(
                    worker: slot, replica: self.parallel.replicas[slot], input: x, batch: 1, shape: block.shape,
                    gradient: self.blockGradients[slot].reserve(block.rows.count * rowWidth),
                    losses: partial + wave + slot, block: block, fullPositions: plan.fullPositions)
            }
            if count == 1 {
                run(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: count, execute: run)
            }
            for slot in 0..<count {
                let block = blocks[wave + slot]
                let rowWidth = block.columns.count * channels
                let g = blockGradients[slot].pointer
                for (k, row) in block.rows.enumerated() {
                    let target = gradient + row * width + block.columns.lowerBound * channels, source = g + k * rowWidth
                    for x in 0..<rowWidth { target[x] += source[x] }
                }
            }
        }
        var sum: Float = 0
        for k in 0..<blocks.count { sum += partial[k] }
        losses[0] = sum
    }
}
