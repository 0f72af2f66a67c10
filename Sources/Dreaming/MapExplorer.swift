import Imaging
import NeuralNet
import Resampling

/// Renders one photo once per map of a layer with a downscale-mode recipe (the ghost's),
/// every map's dream a step of the same batch: N copies of the 28x28 view go through the
/// network together, item `n` raising map `n`. So a user can pick the map to dream with
/// from one sheet, as the seed's author did by trying maps one at a time.
///
/// Item `n` follows exactly the steps `DreamRenderer` takes for the same settings with
/// map `n` alone (same random draws, same normalised steps, same range adjustment), so a
/// cell is the single-map render of the same photo.
public final class MapExplorer {
    public struct Cell: Sendable {
        public var map: Int
        /// The dream, in the photo's colors (or gray, as the settings say).
        public var image: Image
        /// The map's mean pre-activation (a unit's value for dense layers) at the last step.
        public var objective: Float
        /// RMS change of the luminance over the photo's own contrast (its standard
        /// deviation, at least 0.05): how strongly this map changed the photo.
        public var change: Float
    }

    public let model: Sequential
    public let workers: Int
    private let resampler = Resampler(kernel: .bicubic, edge: .renormalize)
    /// Told how far the batch is ("loop 2/4, 128 maps").
    public var progress: ((String) -> Void)?
    /// Batches sent through the network by the last `explore`: one per step, whatever
    /// the number of maps.
    public private(set) var passes = 0

    public init(model: Sequential, workers: Int = Parallelism.cores) {
        self.model = model
        self.workers = workers
    }

    /// The settings each map's dream uses: `settings` with map `map` of `layer` as the
    /// whole objective, on the fixed-step recipe (no strength target, `std` range): every
    /// map gets the same effort, so a strong map shows as strong and a weak one as weak,
    /// which a strength target would even out.
    public static func settings(_ settings: DreamSettings, layer: String, map: Int) -> DreamSettings {
        var single = settings
        single.strength = nil
        if single.range == .soft { single.range = .std }
        single.layer = layer
        single.maps = [map]
        single.layers = [:]
        single.classIndex = nil
        return single
    }

    /// Every map of `layer` (or `maps`), each dreaming on `photo` with `settings`'s recipe.
    public func explore(_ photo: Image, settings: DreamSettings, layer: String, maps: [Int]? = nil)
        throws(DreamError) -> [Cell]
    {
        guard settings.mode == .downscale else {
            throw .invalidSetting(
                key: "mode",
                problem:
                    "explore runs the downscale recipe, not \(settings.mode.rawValue); use a downscale preset (ghost, ghost-color) or --mode downscale"
            )
        }
        let layerIndex: Int
        do {
            layerIndex = try model.layerIndex(named: layer)
        } catch {
            throw .invalidSetting(key: "layer", problem: error.errorDescription ?? layer)
        }
        let kind = model.layers[layerIndex].spec.kind
        guard kind == .conv2d || kind == .dense else {
            throw .invalidSetting(
                key: "layer",
                problem: "\(model.layers[layerIndex].name) has no maps of its own; pick a conv or dense layer")
        }
        let count = try! model.outputShapes(for: model.inputShape)[layerIndex].channels
        let maps = maps ?? Array(0..<count)
        // The fixed-step recipe of `settings(_:layer:map:)` for the whole batch.
        var settings = settings
        settings.strength = nil
        if settings.range == .soft { settings.range = .std }
        guard !maps.isEmpty else { throw .invalidSetting(key: "maps", problem: "no maps to explore") }
        // Checks the settings and every map the way a single render would.
        let renderer = DreamRenderer(model: model, workers: workers)
        for map in [maps.min()!, maps.max()!] {
            try renderer.validate(
                Self.settings(settings, layer: layer, map: map), width: photo.width, height: photo.height)
        }
        let objective = try DreamObjective(settings: Self.settings(settings, layer: layer, map: maps[0]), model: model)
        let evaluator = ObjectiveGradient(model: model, objective: objective, workers: workers)

        let parts = ColorSpace.split(photo)
        var view = parts.luma
        if settings.invert { view.pixels = view.pixels.map { 1 - $0 } }
        let statistics = RangeAdjustment.statistics(view.pixels)
        let targetStd = settings.rangeTarget ?? statistics.std

        // The recipe of DreamRenderer.downscaleDream, for all maps at once.
        let side = model.inputShape.width, height = model.inputShape.height
        let start = resampler.resample(view, width: side, height: height)
        var detail = view
        let blurred = resampler.resample(start, width: view.width, height: view.height)
        for i in detail.pixels.indices { detail.pixels[i] -= blurred.pixels[i] }
        var small = [Image](repeating: start, count: maps.count)
        var big = [Image](repeating: view, count: maps.count)
        var generators = [SeededGenerator](repeating: SeededGenerator(seed: settings.seed), count: maps.count)
        var objectives = [Float](repeating: 0, count: maps.count)
        passes = 0
        do {
            for loop in 0..<settings.loops {
                progress?("loop \(loop + 1)/\(settings.loops), \(maps.count) maps")
                try ascend(
                    &small, maps: maps, evaluator: evaluator, settings: settings, generators: &generators,
                    objectives: &objectives)
                for n in maps.indices {
                    big[n] = resampler.resample(small[n], width: view.width, height: view.height)
                    for i in big[n].pixels.indices { big[n].pixels[i] += detail.pixels[i] }
                    RangeAdjustment.apply(settings.range, to: &big[n], targetStd: targetStd)
                    if loop < settings.loops - 1 { small[n] = resampler.resample(big[n], width: side, height: height) }
                }
            }
        } catch {
            throw .invalidSetting(key: "mode", problem: error.errorDescription ?? "\(error)")
        }

        let contrast = max(statistics.std, 0.05)
        return maps.indices.map { n in
            var dreamed = big[n]
            var squares: Double = 0
            for i in dreamed.pixels.indices {
                let d = Double(min(max(dreamed.pixels[i], 0), 1) - view.pixels[i])
                squares += d * d
            }
            let change = Float((squares / Double(max(view.pixels.count, 1))).squareRoot()) / contrast
            if settings.invert { dreamed.pixels = dreamed.pixels.map { 1 - $0 } }
            let result: Image
            if settings.color == .gray || photo.colorChannels == 1 {
                result = parts.alpha.map { Image(planes: [dreamed, $0]) } ?? dreamed
            } else {
                result = ColorSpace.join(
                    ColorSpace.YCbCr(luma: dreamed, cb: parts.cb, cr: parts.cr, alpha: parts.alpha))
            }
            return Cell(map: maps[n], image: result.clamped(), objective: objectives[n], change: change)
        }
    }

    /// `GradientAscent.ascend` on the whole 28x28 images, one batch for all items still
    /// climbing: item `n` draws its jitter from `generators[n]` as a single render draws
    /// from its own, and stops on its own when it passes the loss cap.
    private func ascend(
        _ small: inout [Image], maps: [Int], evaluator: ObjectiveGradient, settings: DreamSettings,
        generators: inout [SeededGenerator], objectives: inout [Float]
    ) throws(NetworkError) {
        let jitter = min(settings.jitter, 2)
        let w = small[0].width, h = small[0].height, size = w * h
        for n in maps.indices {
            // GradientAscent draws a tile-grid phase at the start of every ascent.
            _ = (Int.random(in: 0..<784, using: &generators[n]), Int.random(in: 0..<784, using: &generators[n]))
        }
        var active = Array(maps.indices)
        var shifts = [(Int, Int)](repeating: (0, 0), count: maps.count)
        var batch = [Float](repeating: 0, count: maps.count * size)
        for _ in 0..<settings.steps where !active.isEmpty {
            for (k, n) in active.enumerated() {
                let dx = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generators[n]) : 0
                let dy = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generators[n]) : 0
                shifts[n] = (dx, dy)
                for y in 0..<h {
                    let sy = ((y - dy) % h + h) % h
                    for x in 0..<w { batch[k * size + y * w + x] = small[n].pixels[sy * w + ((x - dx) % w + w) % w] }
                }
            }
            evaluator.itemMaps = active.map { maps[$0] }
            passes += 1
            let g = try batch.withUnsafeBufferPointer { buffer throws(NetworkError) in
                try evaluator.evaluate(
                    buffer.baseAddress!, batch: active.count, shape: FeatureShape(height: h, width: w, channels: 1))
            }
            var still: [Int] = []
            for (k, n) in active.enumerated() {
                let gradient = g + k * size
                let scale = settings.stepSize / max(VectorKernels.meanAbs(gradient, count: size), 1e-8)
                let (dx, dy) = shifts[n]
                small[n].pixels.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<h {
                        let gy = ((y + dy) % h + h) % h
                        for x in 0..<w { dst[y * w + x] += scale * gradient[gy * w + ((x + dx) % w + w) % w] }
                    }
                }
                objectives[n] = evaluator.loss(ofItem: k)
                if let cap = settings.lossCap, objectives[n] > cap { continue }
                still.append(n)
            }
            active = still
        }
        evaluator.itemMaps = nil
    }
}
