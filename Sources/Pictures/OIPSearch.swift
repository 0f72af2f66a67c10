import Dreaming
import Foundation
import Imaging
import NeuralNet
import Resampling

/// Finds "OIPs" (original input patterns): network inputs that drive one map of a layer
/// hardest, by gradient ascent from noise, all requested maps at once as one batch.
///
/// Pixels are clipped to [0, 1] at every step: a pattern that wins only by leaving the
/// range of real images proves nothing.
public final class OIPSearch {
    public struct Settings: Sendable, Equatable {
        public enum Style: String, Sendable, Codable, CaseIterable {
            /// Each step sees the pattern under a random small shift, scale and rotation, and
            /// the gradient is Laplacian-normalised: patterns with shapes.
            case regularized
            /// Plain pixel-space ascent: the strongest response, often as noise.
            case raw
        }
        public var style = Style.regularized
        /// Length scales (pixels) of the starting noise; 1 is pixel-level, larger ones add
        /// smooth blobs.
        public var noiseScales: [Int] = [1, 2]
        public var steps = 150
        /// Mean absolute pixel change per step.
        public var stepSize: Float = 0.02
        /// Restarts from fresh noise (with longer scales) for maps that stay silent.
        public var restarts = 3
        public var seed: UInt64 = 1
        /// Regularized style: largest random shift (pixels), scale change and rotation (degrees).
        public var jitter: Float = 2
        public var scaleRange: Float = 0.1
        public var degrees: Float = 10
        /// Regularized style: levels of the gradient's Laplacian pyramid (1: none).
        public var pyramidLevels = 4
        /// Patterns that wrap around (they tile without seams): periodic starting noise, and
        /// every step sees the pattern rolled anywhere with wrapping (both styles).
        public var seamless = false
        public init() {}

        /// What is wrong with these settings for patterns of `input`'s size.
        public func problems(input: FeatureShape) -> [(key: String, problem: String)] {
            var result: [(String, String)] = []
            let side = min(input.width, input.height)
            if noiseScales.isEmpty || noiseScales.contains(where: { !(1...side).contains($0) }) {
                result.append(("noiseScales", "lengths must be in 1...\(side), not \(noiseScales)"))
            }
            if steps < 1 { result.append(("steps", "must be 1 or more, not \(steps)")) }
            if !(stepSize > 0 && stepSize <= 1) { result.append(("stepSize", "must be in (0, 1], not \(stepSize)")) }
            if restarts < 0 { result.append(("restarts", "must be 0 or more, not \(restarts)")) }
            // The warps and the gradient pyramid work on square patterns.
            if style == .regularized && input.width != input.height {
                result.append(("style", "regularized needs a square network input, not \(input); use raw"))
            }
            if seamless && input.width != input.height {
                result.append(("seamless", "seamless patterns need a square network input, not \(input)"))
            }
            return result
        }
    }

    public struct Pattern: Sendable {
        public var map: Int
        /// An input of the network's size, values in [0, 1].
        public var image: Image
        /// The map's mean (post-activation) response to the pattern; a class layer's logit.
        public var activation: Float
        public var restarts: Int
    }

    /// A map's responses over a reference set (the MNIST test images), measured as
    /// `Pattern.activation` is.
    public struct Reference: Sendable, Codable {
        public var mean: [Float]
        public var max: [Float]
        /// The index of the image each map responds to most (its best digit).
        public var best: [Int] = []
    }

    let parallel: DataParallel
    public let layer: Int
    public let layerName: String
    public let mapCount: Int
    let outputShape: FeatureShape
    /// A softmax layer is measured and raised by its logits: probabilities saturate at 1.
    public let usesLogits: Bool
    /// The network's input: the patterns' size.
    let input: FeatureShape
    /// Values per pattern.
    var inputCount: Int { input.count }
    private let seedBuffers: [FloatBuffer]
    private let gradients = FloatBuffer()
    private let activations = FloatBuffer()

    public init(model: Sequential, layerName: String) throws(DreamError) {
        do {
            layer = try model.layerIndex(named: layerName)
        } catch {
            throw .invalidSetting(key: "layer", problem: error.errorDescription ?? layerName)
        }
        self.layerName = model.layers[layer].name
        input = model.inputShape
        // Cannot throw: a Sequential is only built when its input shape passes every layer.
        outputShape = try! model.outputShapes(for: model.inputShape)[layer]
        mapCount = outputShape.channels
        usesLogits = model.layers[layer].spec.activation == .softmax
        parallel = DataParallel(model: model, convolution: .winograd)
        seedBuffers = parallel.replicas.map { _ in FloatBuffer() }
        guard model.layers[layer].spec.kind == .conv2d || model.layers[layer].spec.kind == .dense else {
            throw .invalidSetting(
                key: "layer", problem: "\(self.layerName) has no maps of its own; pick a conv or dense layer")
        }
    }

    public func checkMaps(_ maps: [Int]) throws(DreamError) {
        if let bad = maps.first(where: { !(0..<mapCount).contains($0) }) {
            throw .mapOutOfRange(layer: layerName, map: bad, count: mapCount)
        }
    }

    /// Mean response of each map to each of `batch` inputs: (batch, maps).
    func responses(_ input: UnsafePointer<Float>, batch: Int) -> [Float] {
        let out = activations.reserve(batch * mapCount)
        let positions = outputShape.height * outputShape.width
        let channels = mapCount
        let logits = usesLogits
        parallel.run(batch: batch, minimum: 4) { _, replica, slice in
            for start in stride(from: slice.lowerBound, to: slice.upperBound, by: 32) {
                let count = min(32, slice.upperBound - start)
                // Cannot throw: the trained input shape (the default) passes every layer.
                try! replica.forward(input + start * inputCount, batch: count, through: layer)
                let values = logits ? replica.layers[layer].preActivation : replica.layers[layer].output
                for n in 0..<count {
                    let row = out + (start + n) * channels
                    row.update(repeating: 0, count: channels)
                    for p in 0..<positions {
                        for m in 0..<channels { row[m] += values[(n * positions + p) * channels + m] }
                    }
                    for m in 0..<channels { row[m] /= Float(positions) }
                }
            }
        }
        return Array(UnsafeBufferPointer(start: out, count: batch * mapCount))
    }

    /// Mean and max of every map's response over a dataset.
    public func reference(on data: MNISTDataset) throws(DreamError) -> Reference {
        try DigitInput.checkFits(input, data: data.shape)
        var mean = [Double](repeating: 0, count: mapCount)
        var top = [Float](repeating: usesLogits ? -.infinity : 0, count: mapCount)
        var best = [Int](repeating: 0, count: mapCount)
        data.images.withUnsafeBufferPointer { images in
            for start in stride(from: 0, to: data.count, by: 1000) {
                let count = min(1000, data.count - start)
                let r = responses(images.baseAddress! + start * inputCount, batch: count)
                for n in 0..<count {
                    for m in 0..<mapCount {
                        mean[m] += Double(r[n * mapCount + m])
                        if r[n * mapCount + m] > top[m] {
                            top[m] = r[n * mapCount + m]
                            best[m] = start + n
                        }
                    }
                }
            }
        }
        return Reference(mean: mean.map { Float($0 / Double(max(data.count, 1))) }, max: top, best: best)
    }

    /// Starting noise: a base level plus random fields at each length scale, one per
    /// channel, interleaved as the network takes them (periodic when `seamless`).
    static func noise<G: RandomNumberGenerator>(
        scales: [Int], input: FeatureShape, seamless: Bool = false, using generator: inout G
    ) -> [Float] {
        let count = input.height * input.width, channels = input.channels
        var result = [Float](repeating: 0, count: count * channels)
        for k in 0..<channels {
            var field = [Float](repeating: 0.2, count: count)
            for scale in scales where scale >= 1 {
                let width = max(2, input.width / scale), height = max(2, input.height / scale)
                let coarse = Image(
                    width: width, height: height,
                    pixels: (0..<(width * height)).map { _ in Float.random(in: -1...1, using: &generator) })
                let smooth = coarse.resized(
                    width: input.width, height: input.height, edge: seamless ? .wrap : .renormalize)
                for i in 0..<count { field[i] += 0.15 * smooth.pixels[i] }
            }
            for i in 0..<count { result[i * channels + k] = min(max(field[i], 0), 1) }
        }
        return result
    }

    /// Runs a one-plane operation (warp, adjoint, pyramid) on each channel of an
    /// interleaved pattern, writing the interleaved result.
    static func perPlane(
        _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, input: FeatureShape,
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let channels = input.channels
        if channels == 1 { return body(source, target) }
        let count = input.height * input.width
        var plane = [Float](repeating: 0, count: count), out = plane
        for k in 0..<channels {
            for i in 0..<count { plane[i] = source[i * channels + k] }
            plane.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { body(p.baseAddress!, $0.baseAddress!) }
            }
            for i in 0..<count { target[i * channels + k] = out[i] }
        }
    }

    /// An interleaved pattern as a planar image.
    static func image(_ values: ArraySlice<Float>, input: FeatureShape) -> Image {
        let channels = input.channels, count = input.height * input.width
        let first = values.startIndex
        var planar = [Float](repeating: 0, count: count * channels)
        for i in 0..<count { for k in 0..<channels { planar[k * count + i] = values[first + i * channels + k] } }
        return Image(width: input.width, height: input.height, channels: channels, pixels: planar)
    }

    /// One pattern per entry of `maps` (repeat a map for several patterns of it). A
    /// sample whose best response is still at or below its `thresholds` entry (default:
    /// silent) at a third and two thirds of the steps restarts from new, coarser noise.
    /// Each sample keeps the best pattern it passed through.
    /// `starts` (one input of values in [0, 1] per entry of `maps`) replaces the starting noise.
    public func search(
        maps: [Int], settings: Settings, thresholds: [Float]? = nil, starts: [[Float]]? = nil,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws(DreamError) -> [Pattern] {
        try checkMaps(maps)
        if let (key, problem) = settings.problems(input: input).first {
            throw .invalidSetting(key: key, problem: problem)
        }
        precondition(
            starts == nil || (starts!.count == maps.count && starts!.allSatisfy { $0.count == inputCount }),
            "OIPSearch.search: one start of \(inputCount) values per map")
        var generator = SeededGenerator(seed: settings.seed)
        let batch = maps.count
        let per = inputCount
        let regularized = settings.style == .regularized
        let seamless = settings.seamless
        // Seen through a transform each step: the regularized warps, and a seamless roll.
        let warped = regularized || seamless
        let pyramid =
            regularized && settings.pyramidLevels > 1
            ? GradientPyramid(side: input.width, levels: settings.pyramidLevels, edge: seamless ? .wrap : .renormalize)
            : nil
        var x = [Float]()
        x.reserveCapacity(batch * per)
        for n in maps.indices {
            x +=
                starts?[n].map { min(max($0, 0), 1) }
                ?? Self.noise(scales: settings.noiseScales, input: input, seamless: seamless, using: &generator)
        }
        var seen = x
        var transforms: [PatternTransform] = []
        var restarts = [Int](repeating: 0, count: batch)
        var bestActivation = [Float](repeating: -.infinity, count: batch)
        var bestImage = x
        let checkpoints = Set([settings.steps / 3, 2 * settings.steps / 3])
        var unwarped = [Float](repeating: 0, count: per)
        func keepBest(_ activation: [Float], of images: [Float]) {
            for n in 0..<batch where activation[n] > bestActivation[n] {
                bestActivation[n] = activation[n]
                for i in n * per..<(n + 1) * per { bestImage[i] = images[i] }
            }
        }
        func measure() {
            let r = x.withUnsafeBufferPointer { responses($0.baseAddress!, batch: batch) }
            keepBest(maps.enumerated().map { n, map in r[n * mapCount + map] }, of: x)
        }
        for step in 0...settings.steps {
            if warped {
                // Each sample is seen through its own random warp this step; the warps fade
                // out over the first 80% of the steps, so the last ones climb the map's own
                // peak. The seamless roll does not fade: the edges must keep meeting.
                let fade = regularized ? max(0, 1 - Float(step) / (0.8 * Float(settings.steps))) : 0
                transforms = (0..<batch).map { _ in
                    PatternTransform.random(
                        side: input.width, jitter: fade * settings.jitter, scaleRange: fade * settings.scaleRange,
                        degrees: fade * settings.degrees, wraps: seamless, using: &generator)
                }
                x.withUnsafeBufferPointer { source in
                    seen.withUnsafeMutableBufferPointer { target in
                        for n in 0..<batch {
                            Self.perPlane(
                                source.baseAddress! + n * per, into: target.baseAddress! + n * per, input: input
                            ) {
                                transforms[n].apply($0, into: $1)
                            }
                        }
                    }
                }
                // The warped responses only steer; the kept patterns are judged unwarped.
                if step % 10 == 0 || step == settings.steps || checkpoints.contains(step) { measure() }
                if step == settings.steps { break }
            }
            let (gradient, activation) = evaluate(warped ? seen : x, maps: maps)
            if !warped {
                keepBest(activation, of: x)
                if step == settings.steps { break }
            }
            // The step shrinks to a fifth over the run: coarse search first, fine tuning last.
            let stepSize = settings.stepSize * (1 - 0.8 * Float(step) / Float(settings.steps))
            for n in 0..<batch {
                // Regularized: the gradient back through the warp, then shaped by the pyramid.
                if warped {
                    unwarped.withUnsafeMutableBufferPointer {
                        Self.perPlane(gradient + n * per, into: $0.baseAddress!, input: input) { g, out in
                            transforms[n].adjoint(g, into: out)
                            if let pyramid {
                                let normalized = pyramid.normalize(out)
                                out.update(from: normalized, count: normalized.count)
                            }
                        }
                    }
                }
                let direction =
                    warped ? unwarped : Array(UnsafeBufferPointer(start: gradient + n * per, count: per))
                let scale = direction.withUnsafeBufferPointer {
                    stepSize / max(VectorKernels.meanAbs($0.baseAddress!, count: per), 1e-8)
                }
                for i in 0..<per { x[n * per + i] = min(max(x[n * per + i] + scale * direction[i], 0), 1) }
            }
            progress(step + 1, settings.steps)
            if checkpoints.contains(step + 1) {
                for n in 0..<batch
                where bestActivation[n] <= (thresholds?[n] ?? 0) && restarts[n] < settings.restarts {
                    restarts[n] += 1
                    let fresh = Self.noise(
                        scales: settings.noiseScales + [4 + 3 * restarts[n]], input: input, seamless: seamless,
                        using: &generator)
                    for i in 0..<per { x[n * per + i] = fresh[i] }
                }
            }
        }
        return maps.enumerated().map { n, map in
            Pattern(
                map: map,
                image: Self.image(bestImage[n * per..<(n + 1) * per], input: input),
                activation: usesLogits ? bestActivation[n] : max(bestActivation[n], 0), restarts: restarts[n])
        }
    }

    /// Each sample's gradient for its own map, and its map's mean response, for `x`. The
    /// gradient points into this search's buffer: valid until the next `evaluate`.
    func evaluate(_ x: [Float], maps: [Int]) -> (gradient: UnsafePointer<Float>, activation: [Float]) {
        let batch = maps.count
        let g = gradients.reserve(batch * inputCount)
        let response = activations.reserve(batch)
        let positions = outputShape.height * outputShape.width
        let channels = mapCount
        let per = outputShape.count
        let logits = usesLogits
        x.withUnsafeBufferPointer { input in
            maps.withUnsafeBufferPointer { targets in
                parallel.run(batch: batch, minimum: 2) { worker, replica, slice in
                    for start in stride(from: slice.lowerBound, to: slice.upperBound, by: 4) {
                        let count = min(4, slice.upperBound - start)
                        // Cannot throw: the trained input shape passes every layer.
                        try! replica.forward(input.baseAddress! + start * inputCount, batch: count, through: layer)
                        let seed = seedBuffers[worker].reserve(count * per)
                        seed.update(repeating: 0, count: count * per)
                        let pre = replica.layers[layer].preActivation
                        let post = replica.layers[layer].output
                        // The gradient of mean(relu(pre)) rewards a real pattern (the plain
                        // pre-activation mean of conv1 is linear in the pixels: its optimum is a
                        // flat image). Where the map is silent everywhere, raise its best
                        // position instead, which carves the pattern in at one place first.
                        let active = 1 / Float(positions)
                        for n in 0..<count where logits {
                            let i = n * channels + targets[start + n]
                            seed[i] = 1
                            response[start + n] = pre[i]
                        }
                        for n in 0..<count where !logits {
                            let base = n * positions * channels + targets[start + n]
                            var best = 0
                            var anyActive = false
                            var sum: Float = 0
                            for p in 0..<positions {
                                let i = base + p * channels
                                sum += post[i]
                                if pre[i] > 0 {
                                    seed[i] = active
                                    anyActive = true
                                }
                                if pre[i] > pre[base + best * channels] { best = p }
                            }
                            if !anyActive { seed[base + best * channels] = 1 }
                            response[start + n] = sum / Float(positions)
                        }
                        replica.backward(
                            seeds: [.init(layer: layer, gradient: seed, preActivation: true)],
                            parameterGradients: false, inputGradient: g + start * inputCount)
                    }
                }
            }
        }
        return (UnsafePointer(g), Array(UnsafeBufferPointer(start: response, count: batch)))
    }
}
