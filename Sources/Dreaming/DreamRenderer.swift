import Foundation
import Imaging
import NeuralNet
import Resampling

/// The product's main job: a photo in, the dreamed photo out.
///
/// The network only ever sees a one-channel view of the photo (its luminance, or
/// 1 - luminance with `invert`); colors come back from the photo's chroma.
public final class DreamRenderer {
    public let model: Sequential
    private let resampler = Resampler(kernel: .bicubic, edge: .renormalize)

    public struct Result {
        public var image: Image
        /// The seed's strip: the network-sized pattern (viridis), the same in gray, the blurry upscale,
        /// detail re-added, range adjusted. Only for downscale and mixed modes.
        public var stages: Image?
        /// Mean objective per step, all steps in order.
        public var history: [Float]
    }

    /// Cores one render uses.
    public let workers: Int
    /// Told where a render is ("loop 2/4", "octave 3/3, 640x427"); libraries never print.
    public var progress: ((String) -> Void)?

    public init(model: Sequential, workers: Int = Parallelism.cores) {
        self.model = model
        self.workers = workers
    }

    /// Checks the settings against the model and the image size without rendering.
    public func validate(_ settings: DreamSettings, width: Int, height: Int) throws(DreamError) {
        for (key, problem) in settings.problems() { throw .invalidSetting(key: key, problem: problem) }
        let objective = try DreamObjective(settings: settings, model: model)
        if settings.mode == .conv && objective.needsFixedInput {
            throw .objectiveNeedsFixedInput(
                mode: "conv", layer: objective.layerNames[objective.deepestLayer],
                input: model.geometry.inputExtent.description)
        }
        let geometry = model.geometry
        let tiled = settings.mode == .tiles || settings.mode == .mixed
        if tiled && geometry.inputShape.width != geometry.inputShape.height {
            throw .invalidSetting(
                key: "mode", problem: "tiles need a square network input; this model takes \(geometry.inputExtent)")
        }
        if settings.jitter >= geometry.inputShape.width || settings.jitter >= geometry.inputShape.height {
            throw .invalidSetting(
                key: "jitter",
                problem: "must be below the network's input size \(geometry.inputExtent), not \(settings.jitter)")
        }
        if settings.mode != .downscale {
            let sizes = OctavePyramid.sizes(
                width: width, height: height, count: settings.octaves, scale: settings.octaveScale)
            // Tiles are the trained input; conv mode needs what reaches the deepest term.
            let needs =
                settings.mode == .conv
                ? geometry.layers[objective.deepestLayer].minimumInput : geometry.inputExtent
            if let small = sizes.first, small.width < needs.width || small.height < needs.height {
                throw .imageTooSmall(
                    octave: 1, width: small.width, height: small.height, needs: needs.description,
                    hint: settings.octaves > 1
                        ? "use fewer octaves or a smaller octave scale"
                        : "the photo itself is smaller; use --mode downscale")
            }
        }
    }

    public func render(_ photo: Image, settings: DreamSettings, wantStages: Bool = false) throws(DreamError) -> Result {
        try validate(settings, width: photo.width, height: photo.height)
        let objective = try DreamObjective(settings: settings, model: model)
        let ascent = GradientAscent(evaluator: ObjectiveGradient(model: model, objective: objective, workers: workers))
        var generator = SeededGenerator(seed: settings.seed)
        let parts = ColorSpace.split(photo)
        var view = parts.luma
        if settings.invert { view.pixels = view.pixels.map { 1 - $0 } }
        let targetStd = settings.rangeTarget ?? RangeAdjustment.statistics(view.pixels).std
        var history: [Float] = []
        var stages: Image?

        do {
            switch settings.mode {
            case .downscale:
                (view, stages) = try downscaleDream(
                    view, settings: settings, targetStd: targetStd, ascent: ascent,
                    history: &history, wantStages: wantStages, using: &generator)
            case .tiles, .conv:
                view = try octaveDream(
                    view, settings: settings, targetStd: targetStd, ascent: ascent, history: &history,
                    using: &generator)
            case .mixed:
                (view, stages) = try downscaleDream(
                    view, settings: settings, targetStd: targetStd, ascent: ascent,
                    history: &history, wantStages: wantStages, using: &generator)
                view = try octaveDream(
                    view, settings: settings, targetStd: targetStd, ascent: ascent, history: &history,
                    using: &generator, forceTiles: true)
            }
        } catch {
            throw .invalidSetting(key: "mode", problem: error.errorDescription ?? "\(error)")
        }

        if ascent.totalSteps > 0 && ascent.flatSteps == ascent.totalSteps {
            throw .objectiveCannotMove(terms: objective.describeTerms())
        }
        if settings.invert { view.pixels = view.pixels.map { 1 - $0 } }
        var result: Image
        if settings.color == .gray || photo.colorChannels == 1 {
            result = parts.alpha.map { Image(planes: [view, $0]) } ?? view
        } else {
            result = ColorSpace.join(ColorSpace.YCbCr(luma: view, cb: parts.cb, cr: parts.cr, alpha: parts.alpha))
        }
        return Result(image: result.clamped(), stages: stages, history: history)
    }

    /// The seed's recipe: the whole photo at the network's input size, `loops` times ascend, upscale, re-add
    /// the detail the downscale lost, adjust the range, downscale again.
    private func downscaleDream<G: RandomNumberGenerator>(
        _ view: Image, settings: DreamSettings, targetStd: Float, ascent: GradientAscent, history: inout [Float],
        wantStages: Bool, using generator: inout G
    ) throws(NetworkError) -> (Image, Image?) {
        let input = model.geometry.inputExtent
        // Two levels: the network's input and the photo; level 1's detail is what the
        // downscale loses and comes back after every loop.
        let pyramid = OctavePyramid(
            image: view,
            sizes: [.init(width: input.width, height: input.height), .init(width: view.width, height: view.height)],
            resampler: resampler)
        var small = pyramid.levels[0]
        var big = view
        var stages: Image?
        for loop in 0..<settings.loops {
            progress?("\(input) loop \(loop + 1)/\(settings.loops)")
            try ascent.ascend(
                &small, view: .whole, steps: settings.steps, stepSize: settings.stepSize,
                jitter: min(settings.jitter, 2), lossCap: settings.lossCap, using: &generator)
            history += ascent.history
            let upscaled = pyramid.upscale(small, toLevel: 1)
            big = upscaled
            pyramid.addDetail(to: &big, level: 1)
            let withDetail = big
            RangeAdjustment.apply(settings.range, to: &big, targetStd: targetStd)
            if wantStages && loop == settings.loops - 1 {
                stages = StageStrip.make(pattern: small, upscaled: upscaled, withDetail: withDetail, adjusted: big)
            }
            if loop < settings.loops - 1 {
                small = resampler.resample(big, width: input.width, height: input.height)
            }
        }
        return (big, stages)
    }

    /// Multi-scale DeepDream: smallest octave first; after each, upscale and re-add the
    /// detail of the next octave.
    private func octaveDream<G: RandomNumberGenerator>(
        _ view: Image, settings: DreamSettings, targetStd: Float, ascent: GradientAscent, history: inout [Float],
        using generator: inout G, forceTiles: Bool = false
    ) throws(NetworkError) -> Image {
        let pyramid = OctavePyramid(
            image: view, count: settings.octaves, scale: settings.octaveScale, resampler: resampler)
        let tiled = forceTiles || settings.mode == .tiles
        var current = pyramid.levels[0]
        for octave in 0..<settings.octaves {
            progress?("octave \(octave + 1)/\(settings.octaves), \(pyramid.sizes[octave])")
            if octave > 0 {
                current = pyramid.upscale(current, toLevel: octave)
                pyramid.addDetail(to: &current, level: octave)
            }
            try ascent.ascend(
                &current,
                view: tiled
                    ? .tiles(overlap: settings.tileOverlap, shifting: settings.tileGrid == .moving) : .whole,
                steps: settings.steps,
                stepSize: settings.stepSize, jitter: settings.jitter, lossCap: settings.lossCap,
                using: &generator)
            history += ascent.history
            RangeAdjustment.apply(settings.range, to: &current, targetStd: targetStd)
        }
        return current
    }
}
