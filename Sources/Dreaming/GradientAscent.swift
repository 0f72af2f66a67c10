import Foundation
import Imaging
import NeuralNet
import Resampling

/// Raises the objective on an image with the network's channel count (planar, as `Image`
/// stores it; the network takes channels interleaved) by normalised gradient steps, looking at
/// it whole (any size the layers allow) or as a batch of tiles of the network's input size.
public final class GradientAscent {
    public enum View: Sendable {
        /// The image goes through the network as it is (the trained size for dense objectives).
        case whole
        /// Tiles of the network's (square) input size with this overlap, one batch; the grid shifts randomly every step
        /// unless `shifting` is false (kept only to show what a fixed grid does: seams).
        case tiles(overlap: Int, shifting: Bool = true)
    }

    let evaluator: ObjectiveGradient
    /// The side of a tile: the network's input (validated square by `DreamRenderer`).
    private let tileSide: Int
    /// The network's input channels: the image's planes, interleaved on the way in.
    private let channels: Int
    private let planeScratch = FloatBuffer()
    private let tiles = FloatBuffer()
    private let shifted = FloatBuffer()
    /// The tiles' window-weighted gradient sum and window weights over the image.
    private let gradientSum = FloatBuffer()
    private let gradientWeights = FloatBuffer()
    /// The blurred gradient and the blur's scratch plane (`smoothing`).
    private let smoothedGradient = FloatBuffer()
    private let blurScratch = FloatBuffer()
    /// Blurs every step's gradient before it is normalised (the renderer sets it from the
    /// settings' `smoothing`): changes grow as strokes and forms, not single-pixel specks.
    public var smoothing: GaussianBlur?
    /// Tiles view: each tile's gradient is divided by its own RMS to this power (0: the
    /// whole image normalised as one, 1: every tile moves alike). Above 0, flat areas (sky,
    /// walls) grow strokes as the edges do instead of a few specks.
    public var tileBalance: Float = 0
    private let balancedTiles = FloatBuffer()
    private var gridPhase = (0, 0)
    /// The grid offset's per-step increments, coprime to the stride (see `tileStep`).
    private var gridSteps = (1, 1)
    private var stepIndex = 0
    /// Mean objective per step of the last `ascend` call.
    public private(set) var history: [Float] = []
    /// Steps since `init` whose gradient was zero everywhere (the objective cannot move:
    /// e.g. a post-ReLU term on a map that is silent on the whole image).
    public private(set) var flatSteps = 0
    /// Steps since `init`.
    public private(set) var totalSteps = 0
    /// Network passes since `init` (tile groups count one each): one per step for a whole
    /// image or a batch of them.
    public private(set) var passes = 0
    /// With a goal: the change reached by the last `ascend` call, in the goal's units.
    public private(set) var reachedChange: Float = 0

    /// Where a strength-driven ascent stops: when the RMS difference from `reference`,
    /// divided by `contrast`, reaches `target`.
    public struct ChangeGoal {
        public var reference: Image
        public var contrast: Float
        public var target: Float
        /// Stop this close below the target: the next step would overshoot by more.
        public static let tolerance: Float = 0.03
        /// Steps taken at most, as a multiple of the planned count, when the network
        /// resists (a silent map, a saturated tile).
        public static let stepLimitFactor = 4

        /// Threads for `change` (summed in fixed chunks: the result does not depend on it).
        public var workers: Int

        public init(reference: Image, contrast: Float, target: Float, workers: Int = 1) {
            self.reference = reference
            self.contrast = contrast
            self.target = target
            self.workers = workers
        }

        func change(of image: Image) -> Float {
            precondition(image.pixels.count == reference.pixels.count)
            let sum = image.pixels.withUnsafeBufferPointer { a in
                reference.pixels.withUnsafeBufferPointer { b in
                    Bands.sum(a.count, workers: workers) { range in
                        var sum = 0.0
                        for i in range {
                            let d = Double(a[i] - b[i])
                            sum += d * d
                        }
                        return sum
                    }
                }
            }
            return Float((sum / Double(max(image.pixels.count, 1))).squareRoot()) / contrast
        }
    }

    /// How long one step is: in mean absolute pixel change (`stepSize`, version 1), or in
    /// RMS pixel change (strength-driven steps).
    enum StepLength {
        case meanAbsolute(Float)
        case rms(Float)

        /// The factor for the gradient, and whether the gradient is zero everywhere.
        func scale(for gradient: UnsafePointer<Float>, count: Int) -> (scale: Float, flat: Bool) {
            switch self {
            case .meanAbsolute(let length):
                let size = VectorKernels.meanAbs(gradient, count: count)
                return (length / max(size, 1e-8), size == 0)
            case .rms(let length):
                let size = (VectorKernels.sumOfSquares(gradient, count: count) / Float(max(count, 1))).squareRoot()
                return (length / max(size, 1e-12), size == 0)
            }
        }
    }
    /// Told the number of steps done after each step (for progress displays).
    public var onStep: ((Int) -> Void)?

    /// Tiles per trip through the evaluator: a multiple of its chunk size, large enough
    /// to keep every worker busy, small enough that the tiles' memory does not grow with
    /// the image (1,024 tiles: 3 MiB of pixels, 3 MiB of gradient).
    static let defaultTileGroup = 256 * ObjectiveGradient.chunkSize
    /// `defaultTileGroup`; the tests use smaller groups to check they change nothing.
    var tileGroup = GradientAscent.defaultTileGroup

    /// Called with the image after every step (the renderer's `--frames-every` hook).
    var afterStep: ((Image) -> Void)?

    /// Seamless dreams: before every step the image is rolled (wrapping) by a random
    /// offset anywhere in its size, not only by the jitter, so the network sees every
    /// position beside its wrapped neighbours and the result tiles without seams (the
    /// classic DeepDream texture trick; the convolutions themselves stay unpadded).
    public let wraps: Bool

    public init(evaluator: ObjectiveGradient, wraps: Bool = false) {
        self.evaluator = evaluator
        self.wraps = wraps
        tileSide = evaluator.model.inputShape.width
        channels = evaluator.model.inputShape.channels
    }

    /// The roll before a step: up to `jitter` pixels, or anywhere when wrapping.
    private func randomShift<G: RandomNumberGenerator>(
        width: Int, height: Int, jitter: Int, using generator: inout G
    ) -> (x: Int, y: Int) {
        if wraps {
            return (Int.random(in: 0..<width, using: &generator), Int.random(in: 0..<height, using: &generator))
        }
        let dx = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generator) : 0
        let dy = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generator) : 0
        return (dx, dy)
    }

    /// Frees the image-sized buffers (a render's last octave holds a few bytes per pixel
    /// in them); the next step allocates them again.
    public func releaseBuffers() {
        for buffer in [
            tiles, shifted, gradientSum, gradientWeights, planeScratch, smoothedGradient, blurScratch, balancedTiles,
        ] {
            buffer.release()
        }
        evaluator.releaseBuffers()
    }

    /// One image's way through an ascent: how long its next step is, when it stops and,
    /// with a goal, how far it has come. `ascend` runs one, `ascendWhole` a batch of them.
    struct Climb {
        let steps: Int
        let stepSize: Float
        let lossCap: Float?
        let goal: ChangeGoal?
        /// With a goal: the change reached so far, in the goal's units.
        private(set) var change: Float
        /// RMS change gained per unit of RMS step: 1 while steps pile up in one direction,
        /// less once they turn; longer steps make up for it.
        private var efficiency: Float = 1
        /// Steps taken.
        private(set) var step = 0
        private var capped = false
        /// The objective after each step.
        private(set) var history: [Float] = []

        init(image: Image, steps: Int, stepSize: Float, lossCap: Float?, goal: ChangeGoal?) {
            self.steps = steps
            self.stepSize = stepSize
            self.lossCap = lossCap
            self.goal = goal
            change = goal?.change(of: image) ?? 0
            history.reserveCapacity(steps)
        }

        /// The next step's length, or nil when the climb is over: `steps` steps of
        /// `stepSize`, or with a goal, steps sized to reach it in about `steps` steps (up to
        /// `ChangeGoal.stepLimitFactor` times more if the image resists).
        mutating func nextLength() -> StepLength? {
            let limit = goal == nil ? steps : steps * ChangeGoal.stepLimitFactor
            guard !capped, step < limit else { return nil }
            guard let goal else { return .meanAbsolute(stepSize) }
            let remaining = goal.target - change
            if remaining <= ChangeGoal.tolerance * goal.target { return nil }
            let planned = Float(max(steps - step, 1))
            // The remainder spread over the planned steps left, lengthened as steps turn
            // (efficiency below 1), never more than the whole remainder at once.
            return .rms(min(remaining / planned / efficiency, remaining) * goal.contrast)
        }

        /// Notes a step of `length` that left `image` with the objective `loss`.
        mutating func took(_ length: StepLength, image: Image, loss: Float) {
            history.append(loss)
            step += 1
            if let goal, case .rms(let rms) = length {
                let now = goal.change(of: image)
                let gained = (now - change) * goal.contrast / max(rms, 1e-12)
                efficiency = min(max(0.5 * efficiency + 0.5 * gained, 0.1), 1)
                change = now
            }
            if let lossCap, loss > lossCap { capped = true }
        }
    }

    /// `steps` steps of `stepSize`, or with a `goal`, steps sized to reach it in about
    /// `steps` steps (more, up to `ChangeGoal.stepLimitFactor` times, if the image resists).
    public func ascend<G: RandomNumberGenerator>(
        _ image: inout Image, view: View, steps: Int, stepSize: Float,
        jitter: Int, lossCap: Float?, goal: ChangeGoal? = nil, using generator: inout G
    ) throws(NetworkError) {
        history = []
        reachedChange = 0
        let phases = tileSide * tileSide
        gridPhase = (Int.random(in: 0..<phases, using: &generator), Int.random(in: 0..<phases, using: &generator))
        if case .tiles(let overlap, _) = view {
            gridSteps = (Self.coprimeStep(tileSide - overlap, 0.618), Self.coprimeStep(tileSide - overlap, 0.382))
        }
        var climb = Climb(image: image, steps: steps, stepSize: stepSize, lossCap: lossCap, goal: goal)
        while let length = climb.nextLength() {
            stepIndex = climb.step
            let loss: Float
            switch view {
            case .whole:
                loss = try wholeStep(&image, length: length, jitter: jitter, using: &generator)
            case .tiles(let overlap, let shifting):
                loss = try tileStep(&image, overlap: overlap, shifting: shifting, length: length, using: &generator)
            }
            totalSteps += 1
            climb.took(length, image: image, loss: loss)
            afterStep?(image)
            onStep?(climb.step)
        }
        history = climb.history
        reachedChange = climb.change
    }

    /// `ascend` with the whole view on a batch of equally sized images, one network pass
    /// per step for all that still climb: image `n` draws from `generators[n]` and follows
    /// `climbs[n]` exactly as `ascend` would alone. With the evaluator's `itemMaps` set for
    /// the batch, each image raises its own map. The step hooks see a batch of one only.
    func ascendWhole<G: RandomNumberGenerator>(
        _ images: inout [Image], climbs: inout [Climb], jitter: Int, generators: inout [G]
    ) throws(NetworkError) {
        // As `ascend` does for every image (the phase only matters to tiles).
        let phases = tileSide * tileSide
        for n in images.indices {
            _ = (Int.random(in: 0..<phases, using: &generators[n]), Int.random(in: 0..<phases, using: &generators[n]))
        }
        let batchMaps = evaluator.itemMaps
        defer { evaluator.itemMaps = batchMaps }
        let w = images[0].width, h = images[0].height, size = w * h * channels
        var lengths = [StepLength?](repeating: nil, count: images.count)
        var shifts = [(x: Int, y: Int)](repeating: (0, 0), count: images.count)
        var active: [Int] = []
        active.reserveCapacity(images.count)
        while true {
            active.removeAll(keepingCapacity: true)
            for n in images.indices {
                lengths[n] = climbs[n].nextLength()
                if lengths[n] != nil { active.append(n) }
            }
            if active.isEmpty { break }
            let x = shifted.reserve(active.count * size)
            for (k, n) in active.enumerated() {
                shifts[n] = randomShift(width: w, height: h, jitter: jitter, using: &generators[n])
                Self.roll(images[n], by: shifts[n], into: x + k * size)
            }
            if let batchMaps { evaluator.itemMaps = active.map { batchMaps[$0] } }
            let g = try evaluator.evaluate(
                x, batch: active.count, shape: FeatureShape(height: h, width: w, channels: channels))
            passes += 1
            let losses = evaluator.losses
            for (k, n) in active.enumerated() {
                let length = lengths[n]!
                let gradient = smoothed(g + k * size, width: w, height: h)
                let (scale, flat) = length.scale(for: gradient, count: size)
                if flat { flatSteps += 1 }
                Self.addRolledBack(gradient, times: scale, by: shifts[n], to: &images[n])
                totalSteps += 1
                climbs[n].took(length, image: images[n], loss: losses[k])
            }
            if images.count == 1 {
                afterStep?(images[0])
                onStep?(climbs[0].step)
            }
        }
    }

    /// The tiles' gradients each divided by their RMS to the power `tileBalance` (a silent
    /// tile stays silent), or the gradients themselves at 0.
    private func balanced(_ gradients: UnsafePointer<Float>, count: Int) -> UnsafePointer<Float> {
        guard tileBalance > 0 else { return gradients }
        let size = tileSide * tileSide * channels
        let out = balancedTiles.reserve(count * size)
        for tile in 0..<count {
            let source = gradients + tile * size, target = out + tile * size
            let rms = (VectorKernels.sumOfSquares(source, count: size) / Float(size)).squareRoot()
            let factor = rms > 1e-12 ? pow(rms, -tileBalance) : 0
            for i in 0..<size { target[i] = source[i] * factor }
        }
        return UnsafePointer(out)
    }

    /// `gradient` (interleaved channels) blurred plane by plane by `smoothing` (in a buffer
    /// of its own), or itself without one.
    private func smoothed(_ gradient: UnsafePointer<Float>, width: Int, height: Int) -> UnsafePointer<Float> {
        guard let smoothing else { return gradient }
        let plane = width * height
        let out = smoothedGradient.reserve(plane * channels)
        if channels == 1 {
            out.update(from: gradient, count: plane)
            smoothing.apply(out, width: width, height: height, scratch: blurScratch.reserve(plane))
            return UnsafePointer(out)
        }
        let scratch = planeScratch.reserve(plane)
        for k in 0..<channels {
            for i in 0..<plane { scratch[i] = gradient[i * channels + k] }
            smoothing.apply(scratch, width: width, height: height, scratch: blurScratch.reserve(plane))
            for i in 0..<plane { out[i * channels + k] = scratch[i] }
        }
        return UnsafePointer(out)
    }

    /// `image` rolled by (dx, dy) pixels, wrapping, into `target` with its planes
    /// interleaved (the network's height x width x channels).
    static func roll(_ image: Image, by shift: (x: Int, y: Int), into target: UnsafeMutablePointer<Float>) {
        let w = image.width, h = image.height, (dx, dy) = shift, c = image.channels, plane = w * h
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<h {
                let sy = ((y - dy) % h + h) % h
                for xx in 0..<w {
                    let s = sy * w + ((xx - dx) % w + w) % w, t = (y * w + xx) * c
                    for k in 0..<c { target[t + k] = src[k * plane + s] }
                }
            }
        }
    }

    /// Adds `scale` times the gradient of the rolled image, rolled back, to `image`.
    static func addRolledBack(
        _ gradient: UnsafePointer<Float>, times scale: Float, by shift: (x: Int, y: Int), to image: inout Image
    ) {
        let w = image.width, h = image.height, (dx, dy) = shift, c = image.channels, plane = w * h
        image.pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let gy = ((y + dy) % h + h) % h
                for xx in 0..<w {
                    let g = (gy * w + ((xx + dx) % w + w) % w) * c, d = y * w + xx
                    for k in 0..<c { dst[k * plane + d] += scale * gradient[g + k] }
                }
            }
        }
    }

    /// One step on the whole image, rolled by up to `jitter` pixels (wrapping) so that the
    /// network's grid does not imprint on the result.
    private func wholeStep<G: RandomNumberGenerator>(
        _ image: inout Image, length: StepLength, jitter: Int,
        using generator: inout G
    ) throws(NetworkError) -> Float {
        let w = image.width, h = image.height
        let (dx, dy) = randomShift(width: w, height: h, jitter: jitter, using: &generator)
        precondition(image.channels == channels, "the image has \(image.channels) planes, the network \(channels)")
        let x = shifted.reserve(w * h * channels)
        Self.roll(image, by: (dx, dy), into: x)
        let g = try evaluator.evaluate(x, batch: 1, shape: FeatureShape(height: h, width: w, channels: channels))
        passes += 1
        let gradient = smoothed(g, width: w, height: h)
        let (scale, flat) = length.scale(for: gradient, count: w * h * channels)
        if flat { flatSteps += 1 }
        Self.addRolledBack(gradient, times: scale, by: (dx, dy), to: &image)
        return evaluator.meanLoss
    }

    /// One step over all tiles at once: one batch through the network, gradients blended
    /// back with the tile window and normalised over the whole image, so tiles keep their
    /// relative strength and no seam shows.
    private func tileStep<G: RandomNumberGenerator>(
        _ image: inout Image, overlap: Int, shifting: Bool, length: StepLength,
        using generator: inout G
    ) throws(NetworkError) -> Float {
        let grid: TileGrid
        if shifting {
            // Offsets walk the stride in steps coprime to it (a golden-ratio sequence), so
            // tile borders visit every position once before any repeats: evenly spread
            // seams, where independent random offsets would cluster some.
            let stride = tileSide - overlap
            let (ax, ay) = gridSteps
            grid = TileGrid(
                imageWidth: image.width, imageHeight: image.height, tileSize: tileSide, overlap: overlap,
                offsetX: (gridPhase.0 + stepIndex * ax) % stride, offsetY: (gridPhase.1 + stepIndex * ay) % stride)
        } else {
            grid = TileGrid(imageWidth: image.width, imageHeight: image.height, tileSize: tileSide, overlap: overlap)
        }
        // Tiles go through the network a group at a time (bounded memory at any image
        // size); a group is a whole number of the evaluator's chunks, so the chunks, and
        // with them every sum, are the same for any group or worker count.
        precondition(image.channels == channels, "the image has \(image.channels) planes, the network \(channels)")
        let pixels = image.width * image.height * channels, plane = image.width * image.height
        // Wrapping: the tiles cut a rolled copy, and the gradient is rolled back.
        var roll = (x: 0, y: 0)
        var source = image
        if wraps {
            roll = randomShift(width: image.width, height: image.height, jitter: 0, using: &generator)
            source.pixels.withUnsafeMutableBufferPointer { planes in
                for k in 0..<channels { Self.roll(image.plane(k), by: roll, into: planes.baseAddress! + k * plane) }
            }
        }
        let sum = gradientSum.reserve(pixels), weights = gradientWeights.reserve(pixels)
        sum.update(repeating: 0, count: pixels)
        weights.update(repeating: 0, count: pixels)
        var lossSum: Float = 0
        let tilePixels = tileSide * tileSide
        for first in stride(from: 0, to: grid.count, by: tileGroup) {
            let group = first..<min(first + tileGroup, grid.count)
            let batch = tiles.reserve(group.count * tilePixels * channels)
            if channels == 1 {
                grid.extract(from: source, tiles: group, into: batch)
            } else {
                // Plane by plane through the one-channel grid, interleaved into the batch.
                let scratch = planeScratch.reserve(group.count * tilePixels)
                for k in 0..<channels {
                    grid.extract(from: source.plane(k), tiles: group, into: scratch)
                    for i in 0..<group.count * tilePixels { batch[i * channels + k] = scratch[i] }
                }
            }
            let g = try evaluator.evaluate(
                batch, batch: group.count,
                shape: FeatureShape(height: tileSide, width: tileSide, channels: channels))
            passes += 1
            let tileGradients = balanced(g, count: group.count)
            if channels == 1 {
                grid.accumulate(tileGradients, tiles: group, into: sum, weights: weights)
            } else {
                let scratch = planeScratch.reserve(group.count * tilePixels)
                for k in 0..<channels {
                    for i in 0..<group.count * tilePixels { scratch[i] = tileGradients[i * channels + k] }
                    grid.accumulate(scratch, tiles: group, into: sum + k * plane, weights: weights + k * plane)
                }
            }
            // Tile by tile, so the sum does not depend on the grouping.
            for loss in evaluator.losses { lossSum += loss }
        }
        for i in 0..<pixels { sum[i] /= weights[i] }
        if let smoothing {
            for k in 0..<channels {
                smoothing.apply(
                    sum + k * plane, width: image.width, height: image.height, scratch: blurScratch.reserve(plane))
            }
        }
        let (scale, flat) = length.scale(for: sum, count: pixels)
        if flat { flatSteps += 1 }
        if channels == 1 {
            Self.addRolledBack(sum, times: scale, by: roll, to: &image)
        } else {
            // The sum is planar; each plane goes back through the one-plane roll.
            for k in 0..<channels {
                var one = image.plane(k)
                Self.addRolledBack(sum + k * plane, times: scale, by: roll, to: &one)
                image.pixels.replaceSubrange(k * plane..<(k + 1) * plane, with: one.pixels)
            }
        }
        return lossSum / Float(grid.count)
    }
}

extension GradientAscent {
    /// The integer nearest `fraction * n` that shares no factor with `n`.
    static func coprimeStep(_ n: Int, _ fraction: Double) -> Int {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let target = max(1, Int((Double(n) * fraction).rounded()))
        return (0..<n).lazy.flatMap { [target + $0, target - $0] }.first { $0 >= 1 && gcd($0, n) == 1 } ?? 1
    }
}
