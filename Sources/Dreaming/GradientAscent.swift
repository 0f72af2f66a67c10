import Imaging
import NeuralNet
import Resampling

/// Raises the objective on a one-channel image by normalised gradient steps, looking at
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
    private let tiles = FloatBuffer()
    private let shifted = FloatBuffer()
    private var fullGradient: Image?
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

    public init(evaluator: ObjectiveGradient) {
        self.evaluator = evaluator
        tileSide = evaluator.model.inputShape.width
    }

    public func ascend<G: RandomNumberGenerator>(
        _ image: inout Image, view: View, steps: Int, stepSize: Float,
        jitter: Int, lossCap: Float?, using generator: inout G
    ) throws(NetworkError) {
        history = []
        let phases = tileSide * tileSide
        gridPhase = (Int.random(in: 0..<phases, using: &generator), Int.random(in: 0..<phases, using: &generator))
        if case .tiles(let overlap, _) = view {
            gridSteps = (Self.coprimeStep(tileSide - overlap, 0.618), Self.coprimeStep(tileSide - overlap, 0.382))
        }
        for step in 0..<steps {
            stepIndex = step
            let loss: Float
            switch view {
            case .whole:
                loss = try wholeStep(&image, stepSize: stepSize, jitter: jitter, using: &generator)
            case .tiles(let overlap, let shifting):
                loss = try tileStep(&image, overlap: overlap, shifting: shifting, stepSize: stepSize, using: &generator)
            }
            history.append(loss)
            totalSteps += 1
            if let lossCap, loss > lossCap { break }
        }
    }

    /// One step on the whole image, rolled by up to `jitter` pixels (wrapping) so that the
    /// network's grid does not imprint on the result.
    private func wholeStep<G: RandomNumberGenerator>(
        _ image: inout Image, stepSize: Float, jitter: Int,
        using generator: inout G
    ) throws(NetworkError) -> Float {
        let w = image.width, h = image.height
        let dx = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generator) : 0
        let dy = jitter > 0 ? Int.random(in: -jitter...jitter, using: &generator) : 0
        let x = shifted.reserve(w * h)
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<h {
                let sy = ((y - dy) % h + h) % h
                for xx in 0..<w { x[y * w + xx] = src[sy * w + ((xx - dx) % w + w) % w] }
            }
        }
        let g = try evaluator.evaluate(x, batch: 1, shape: FeatureShape(height: h, width: w, channels: 1))
        let size = VectorKernels.meanAbs(g, count: w * h)
        if size == 0 { flatSteps += 1 }
        let scale = stepSize / max(size, 1e-8)
        image.pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let gy = ((y + dy) % h + h) % h
                for xx in 0..<w { dst[y * w + xx] += scale * g[gy * w + ((xx + dx) % w + w) % w] }
            }
        }
        return evaluator.meanLoss
    }

    /// One step over all tiles at once: one batch through the network, gradients blended
    /// back with the tile window and normalised over the whole image, so tiles keep their
    /// relative strength and no seam shows.
    private func tileStep<G: RandomNumberGenerator>(
        _ image: inout Image, overlap: Int, shifting: Bool, stepSize: Float,
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
        let batch = tiles.reserve(grid.count * tileSide * tileSide)
        grid.extract(from: image, into: batch)
        let g = try evaluator.evaluate(
            batch, batch: grid.count, shape: FeatureShape(height: tileSide, width: tileSide, channels: 1))
        if fullGradient?.width != image.width || fullGradient?.height != image.height {
            fullGradient = Image(width: image.width, height: image.height)
        }
        grid.assemble(g, into: &fullGradient!)
        let size = fullGradient!.pixels.withUnsafeBufferPointer {
            VectorKernels.meanAbs($0.baseAddress!, count: $0.count)
        }
        if size == 0 { flatSteps += 1 }
        let scale = stepSize / max(size, 1e-8)
        fullGradient!.pixels.withUnsafeBufferPointer { gradient in
            image.pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<dst.count { dst[i] += scale * gradient[i] }
            }
        }
        return evaluator.meanLoss
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
