import Foundation
import Imaging
import NeuralNet
import Resampling

/// The product's main job: a photo in, the dreamed photo out.
///
/// A one-channel network sees the photo's luminance (or 1 - luminance with `invert`) and
/// colors come back from the photo's chroma; a three-channel network sees and changes the
/// RGB planes themselves.
public final class DreamRenderer {
    public let model: Sequential
    /// Bicubic with Pillow's borders; seamless dreams wrap around instead, so every
    /// resampling keeps the image periodic. Full-size resampling runs in bands of rows on
    /// the render's workers.
    func resampler(for settings: DreamSettings) -> Resampler {
        Resampler(kernel: .bicubic, edge: settings.seamless ? .wrap : .renormalize, workers: workers)
    }

    public struct Result {
        public var image: Image
        /// The seed's strip: the network-sized pattern (viridis), the same in gray, the blurry upscale,
        /// detail re-added, range adjusted. Only for downscale and mixed modes.
        public var stages: Image?
        /// Mean objective per step, all steps in order.
        public var history: [Float]
        /// The strength reached (RMS luminance change over the photo's contrast), when
        /// `strength` was set.
        public var strength: Float?
    }

    /// A photo's contrast for `strength`: its luminance standard deviation, but at least
    /// this, so a flat sky or fog still gets a visible dream.
    public static let minimumContrast: Float = 0.05
    /// In mixed mode, the share of the strength the downscale pass reaches; the tiled
    /// octaves add the rest.
    static let mixedDownscaleShare: Float = 0.5

    /// Downscale mode dreams on a copy of the photo of at most this many pixels: its
    /// pattern is the network's input upscaled, smooth at any size, so looping and
    /// calibrating at full size would only cost time (24 MP: 20 times a 1 MP render).
    /// Photos up to it render exactly as before.
    public static let downscalePixelBudget = 1 << 20
    /// The budget this renderer's downscale renders use (tests shrink it).
    var downscaleBudget = DreamRenderer.downscalePixelBudget

    /// The size the dream runs at: for `patternSize`, one `tile` (the network's input side)
    /// covering that fraction of the short side; in downscale mode, the photo fitted
    /// into `downscaleBudget` pixels. Nil when that is the photo's own size or larger,
    /// or not applicable.
    public static func workingSize(
        width: Int, height: Int, settings: DreamSettings, tile: Int, downscaleBudget: Int = downscalePixelBudget
    ) -> OctavePyramid.Size? {
        if settings.mode == .downscale {
            let pixels = Double(width) * Double(height)
            guard pixels > Double(max(downscaleBudget, 1)) else { return nil }
            let scale = (Double(downscaleBudget) / pixels).squareRoot()
            let w = max(1, Int((Double(width) * scale).rounded()))
            return OctavePyramid.Size(
                width: w, height: min(max(1, Int((Double(height) * scale).rounded())), max(downscaleBudget / w, 1)))
        }
        guard case .fraction(let fraction) = settings.patternSize else { return nil }
        let scale = Double(tile) / (fraction * Double(min(width, height)))
        guard scale < 1 else { return nil }
        return OctavePyramid.Size(
            width: max(1, Int((Double(width) * scale).rounded())),
            height: max(1, Int((Double(height) * scale).rounded())))
    }

    /// What every stage needs to know besides the image: the strength goal and the range.
    private struct Plan {
        var settings: DreamSettings
        var targetStd: Float
        var contrast: Float
        var limits: RangeAdjustment.Limits
        var ascent: GradientAscent
        var workers: Int

        /// The goal of a stage that should have reached `share` of the strength.
        func goal(reference: Image, share: Float) -> GradientAscent.ChangeGoal? {
            settings.strength.map {
                GradientAscent.ChangeGoal(
                    reference: reference, contrast: contrast, target: $0 * share, workers: workers)
            }
        }

        func adjustRange(_ image: inout Image, reference: Image) {
            RangeAdjustment.apply(
                settings.range, to: &image, targetStd: targetStd, reference: reference, limits: limits,
                workers: workers)
        }
    }

    /// Cores one render uses.
    public let workers: Int
    /// Told where a render is after every step (stage, step, fraction done); libraries
    /// never print.
    public var progress: ((RenderProgress) -> Void)?
    /// The current render's progress, when someone listens.
    private var tracker: ProgressTracker?

    /// Memory a render may use (`RenderMemory` checks each render against it first).
    public var memoryLimit: (bytes: Int, source: String)

    /// Every `frameEvery` steps (0: never), `onFrame` gets the dream so far at the photo's
    /// size and in its final colors: smaller octaves and the network-sized pattern are upscaled.
    public var frameEvery = 0
    public var onFrame: ((Image) -> Void)?

    /// The last guide loaded: a batch or a list of photos reads it once.
    private var loadedGuide: DreamGuide?
    /// Where `mnist:` guides are read from (nil: the bundled data).
    public var dataDirectory: String?

    /// The settings' objective, with their guide loaded (or taken from the last render's).
    public func objective(for settings: DreamSettings) throws(DreamError) -> DreamObjective {
        var guide: DreamGuide?
        if let source = settings.guide {
            if let loaded = loadedGuide, loaded.source == source,
                loaded.inverted == settings.invert
                    || DreamGuide.isDataReference(source)
            {
                guide = loaded
            } else {
                guide = try DreamGuide.load(source, for: model, invert: settings.invert, dataDirectory: dataDirectory)
                loadedGuide = guide
            }
        }
        return try DreamObjective(settings: settings, model: model, guide: guide)
    }

    public init(model: Sequential, workers: Int = Parallelism.cores) {
        self.model = model
        self.workers = workers
        memoryLimit = ResourceLimits().memoryLimit()
    }

    /// Checks the settings against the model and the image size without rendering.
    public func validate(_ settings: DreamSettings, width: Int, height: Int, masked: Bool = false) throws(DreamError) {
        for (key, problem) in settings.problems() { throw .invalidSetting(key: key, problem: problem) }
        let objective = try objective(for: settings)
        if settings.mode == .conv && objective.needsFixedInput {
            throw .objectiveNeedsFixedInput(
                mode: "conv", layer: objective.layerNames[objective.deepestLayer],
                input: model.geometry.inputExtent.description)
        }
        let geometry = model.geometry
        if geometry.inputShape.channels != 1 && geometry.inputShape.channels != 3 {
            throw .invalidSetting(
                key: "model",
                problem:
                    "dreams need a model of 1 (gray) or 3 (RGB) input channels; this one takes \(geometry.inputShape.channels)"
            )
        }
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
        let needs = RenderMemory.estimate(
            settings, width: width, height: height, masked: masked, channels: model.inputShape.channels)
        if needs > memoryLimit.bytes {
            throw .notEnoughMemory(
                width: width, height: height, mode: settings.mode.rawValue, needs: needs, limit: memoryLimit.bytes,
                source: memoryLimit.source)
        }
        if settings.mode != .downscale {
            let working = Self.workingSize(
                width: width, height: height, settings: settings, tile: geometry.inputShape.width)
            let sizes = OctavePyramid.sizes(
                width: working?.width ?? width, height: working?.height ?? height, count: settings.octaves,
                scale: settings.octaveScale)
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

    /// With a `mask`, the result is the photo where the mask is black and the dream where
    /// it is white (`DreamMask.blend`); so are the frames.
    public func render(
        _ photo: consuming Image, settings: DreamSettings, wantStages: Bool = false, mask: DreamMask? = nil
    ) throws(DreamError) -> Result {
        try validate(settings, width: photo.width, height: photo.height, masked: mask != nil)
        // The blend needs the decoded photo itself at the end, and the mask at its size.
        let kept: (mask: DreamMask, photo: Image)? =
            if let mask { (mask.fitted(width: photo.width, height: photo.height), copy photo) } else { nil }
        let objective = try objective(for: settings)
        var generator = SeededGenerator(seed: settings.seed)
        let grayOutput = isGrayOutput(settings, photo: photo)
        let (photoWidth, photoHeight) = (photo.width, photo.height)
        // Memory: a one-channel model's photo becomes its own chroma (split in place);
        // `original` alone holds the network's view (luma, or RGB for a colour model).
        var parts: PhotoColors
        var original: Image
        if model.inputShape.channels == 1 {
            var planes = consume photo
            original = ColorSpace.splitInPlace(&planes, workers: workers)
            parts = .packed(planes)
        } else {
            var split = ColorSpace.split(photo, workers: workers)
            original = networkInput(consume photo, parts: split)
            split.luma = Image(width: 1, height: 1)
            parts = .planes(split)
        }
        if settings.invert { Self.invert(&original, workers: workers) }
        let plan = makePlan(settings, original: original, objective: objective)
        let resampler = resampler(for: settings)
        // patternSize: dream on a smaller copy, add the photo's full-resolution detail at the end.
        let working = Self.workingSize(
            width: photoWidth, height: photoHeight, settings: settings, tile: model.inputShape.width,
            downscaleBudget: downscaleBudget)
        let start = working.map { resampler.resample(original, width: $0.width, height: $0.height) } ?? original
        var view = start
        var history: [Float] = []
        var stages: Image?
        if frameEvery > 0, let onFrame {
            var step = 0
            plan.ascent.afterStep = { [resampler, parts] current in
                step += 1
                guard step % self.frameEvery == 0 else { return }
                let view = resampler.resample(current, width: photoWidth, height: photoHeight)
                let frame = Self.finish(view, parts: parts, settings: settings, gray: grayOutput, workers: self.workers)
                onFrame(kept.map { $0.mask.blend(dream: frame, photo: $0.photo) } ?? frame)
            }
        }
        var cannotMove = false
        tracker = progress.map { report in
            ProgressTracker(
                settings: settings, width: view.width, height: view.height,
                network: (model.inputShape.width, model.inputShape.height),
                fullSize: working == nil ? nil : (photoWidth, photoHeight), report: report)
        }
        defer { tracker = nil }
        plan.ascent.onStep = { [weak self] in self?.tracker?.step($0) }

        do {
            switch settings.mode {
            case .downscale, .mixed:
                // The downscale recipe runs as a batch of one (`renderMaps` runs it for many).
                var generators = [generator]
                let dreamed = try downscaleDream(
                    view, items: 1, plan: plan, share: settings.mode == .mixed ? Self.mixedDownscaleShare : 1,
                    wantStages: wantStages, using: &generators)
                view = dreamed.views[0]
                history = dreamed.histories[0]
                stages = dreamed.stages
                generator = generators[0]
                if settings.mode == .mixed {
                    view = try octaveDream(
                        view, photo: start, plan: plan, history: &history, using: &generator, forceTiles: true,
                        startShare: Self.mixedDownscaleShare)
                }
            case .tiles, .conv:
                view = try octaveDream(view, photo: start, plan: plan, history: &history, using: &generator)
            }
            cannotMove = plan.ascent.totalSteps > 0 && plan.ascent.flatSteps == plan.ascent.totalSteps
        } catch {
            throw .invalidSetting(key: "mode", problem: error.errorDescription ?? "\(error)")
        }
        // The ascent's image-sized buffers go before the result is put together.
        plan.ascent.releaseBuffers()
        var reached: Float?
        if let strength = settings.strength {
            // At the working size: the full-size photo only gets the result added once.
            reached = calibrate(&view, photo: start, strength: strength, plan: plan)
        }
        if working != nil {
            tracker?.beginDetail()
            reached = toFullSize(
                &view, start: start, original: original, plan: plan, rangeDone: settings.mode == .downscale)
        }

        if cannotMove {
            throw .objectiveCannotMove(terms: objective.describeTerms())
        }
        var image = Self.finish(
            consume view, parts: consume parts, settings: settings, gray: grayOutput, workers: workers)
        if let (mask, photo) = kept { image = mask.blend(dream: image, photo: photo) }
        return Result(image: image, stages: stages, history: history, strength: reached)
    }

    /// A dream run at a working size brought to the photo's: upscale only the dream's
    /// change (from `start`, the photo at that size) and add it to the full-size photo
    /// (`original`), the same as upscaling the dream and re-adding the detail the
    /// downscale lost, one resampling cheaper; then one range step at full size. Returns
    /// the strength reached on the full-size result, when the settings have one.
    /// With `rangeDone` (downscale mode, whose copy had its range steps), a soft range is
    /// not applied again: a second knee would roll the change off twice (3% of its energy
    /// lost at 4x the budget).
    private func toFullSize(_ view: inout Image, start: Image, original: Image, plan: Plan, rangeDone: Bool = false)
        -> Float?
    {
        Self.add(start, to: &view, sign: -1, workers: workers)
        view = resampler(for: plan.settings).resample(view, width: original.width, height: original.height)
        Self.add(original, to: &view, workers: workers)
        // The downscale recipe's copy had its soft range step at every loop, with the
        // photo's detail at the copy's size; the finer detail added back is the photo's
        // own. A second step at full size moved a 24 MP ghost by 0.07/255 on average (6 at
        // most) for a fifth of the render's time, so it is skipped.
        if !(rangeDone && plan.settings.range == .soft) { plan.adjustRange(&view, reference: original) }
        // Measured, not calibrated again: the working size's calibration carries over
        // (flower, tiles: 0.88 at 1 MP and at 24 MP) and a full-size pass costs more
        // than the dream.
        return plan.settings.strength.map {
            GradientAscent.ChangeGoal(reference: original, contrast: plan.contrast, target: $0, workers: workers)
                .change(of: view)
        }
    }

    private func makePlan(_ settings: DreamSettings, original: Image, objective: DreamObjective) -> Plan {
        let statistics = RangeAdjustment.statistics(original.pixels, workers: workers)
        let ascent = GradientAscent(
            evaluator: ObjectiveGradient(model: model, objective: objective, workers: workers),
            wraps: settings.seamless)
        ascent.smoothing = settings.smoothing > 0 ? GaussianBlur(sigma: settings.smoothing) : nil
        ascent.tileBalance = settings.tileBalance
        return Plan(
            settings: settings, targetStd: settings.rangeTarget ?? statistics.std,
            contrast: max(statistics.std, Self.minimumContrast), limits: RangeAdjustment.Limits(photo: original),
            ascent: ascent, workers: workers)
    }

    /// The downscale recipe once per map of `settings.layer`: `maps.count` copies of the
    /// photo dream as one batch, copy `n` raising map `maps[n]` (the settings' own maps
    /// are replaced). Each result is what `render` gives with that map alone, which runs
    /// the same code as a batch of one. `onLoop` hears each loop start; `passes` counts
    /// the batches sent through the network.
    func renderMaps(
        _ photo: Image, settings: DreamSettings, maps: [Int], onLoop: ((Int) -> Void)? = nil
    ) throws(DreamError) -> (results: [Result], passes: Int) {
        guard settings.mode == .downscale else {
            throw .invalidSetting(
                key: "mode",
                problem:
                    "one dream per map runs the downscale recipe, not \(settings.mode.rawValue); use a downscale preset (ghost, ghost-color) or --mode downscale"
            )
        }
        guard let lowest = maps.min(), let highest = maps.max() else {
            throw .invalidSetting(key: "maps", problem: "no maps to dream with")
        }
        var objective: DreamObjective?
        for map in [lowest, highest] {
            var single = settings
            single.maps = [map]
            try validate(single, width: photo.width, height: photo.height)
            objective = try self.objective(for: single)
        }
        // One render's fixed part, and every copy's share per pixel.
        let single = RenderMemory.estimate(
            settings, width: photo.width, height: photo.height, channels: model.inputShape.channels)
        let perCopy = single - RenderMemory.fixedBytes
        let (copies, overflow) = perCopy.multipliedReportingOverflow(by: maps.count)
        let needs = overflow ? Int.max : RenderMemory.fixedBytes + copies
        if needs > memoryLimit.bytes {
            throw .notEnoughMemory(
                width: photo.width, height: photo.height, mode: "\(maps.count) maps of \(settings.mode.rawValue)",
                needs: needs, limit: memoryLimit.bytes, source: memoryLimit.source)
        }
        let split = ColorSpace.split(photo, workers: workers)
        var original = networkInput(photo, parts: split)
        if settings.invert { Self.invert(&original, workers: workers) }
        let parts = PhotoColors.planes(split)
        let plan = makePlan(settings, original: original, objective: objective!)
        plan.ascent.evaluator.itemMaps = maps
        // As in `render`: the loops on a copy within the budget, each result brought to full size.
        let working = Self.workingSize(
            width: photo.width, height: photo.height, settings: settings, tile: model.inputShape.width,
            downscaleBudget: downscaleBudget)
        let start =
            working.map { resampler(for: settings).resample(original, width: $0.width, height: $0.height) } ?? original
        var generators = [SeededGenerator](repeating: SeededGenerator(seed: settings.seed), count: maps.count)
        let dreamed: (views: [Image], histories: [[Float]], stages: Image?)
        do {
            dreamed = try downscaleDream(
                start, items: maps.count, plan: plan, share: 1, wantStages: false, using: &generators, onLoop: onLoop)
        } catch {
            throw .invalidSetting(key: "mode", problem: error.errorDescription ?? "\(error)")
        }
        plan.ascent.releaseBuffers()
        let gray = isGrayOutput(settings, photo: photo)
        let results = maps.indices.map { n in
            var view = dreamed.views[n]
            var reached = settings.strength.map { calibrate(&view, photo: start, strength: $0, plan: plan) }
            if working != nil {
                reached = toFullSize(&view, start: start, original: original, plan: plan, rangeDone: true)
            }
            return Result(
                image: Self.finish(view, parts: parts, settings: settings, gray: gray, workers: workers), stages: nil,
                history: dreamed.histories[n], strength: reached)
        }
        return (results, plan.ascent.passes)
    }

    /// What the network dreams on: the luma for a one-channel model, the RGB planes for a
    /// three-channel one (a gray photo's luma three times: the dream colours it).
    func networkInput(_ photo: Image, parts: ColorSpace.YCbCr) -> Image {
        switch model.inputShape.channels {
        case 1: return parts.luma
        case 3:
            if photo.colorChannels == 1 { return Image(planes: [parts.luma, parts.luma, parts.luma]) }
            return Image(planes: (0..<3).map { photo.plane($0) })
        default:
            // Models of other channel counts are refused before (`validate`).
            return Image(planes: Array(repeating: parts.luma, count: model.inputShape.channels))
        }
    }

    /// Whether the result is gray: `color: gray`, or a one-channel model dreaming on a gray
    /// photo (a colour model's dream is coloured even on a gray photo).
    func isGrayOutput(_ settings: DreamSettings, photo: Image) -> Bool {
        settings.color == .gray || (model.inputShape.channels == 1 && photo.colorChannels == 1)
    }

    /// The network's view back to a picture: undo `invert`, re-add the photo's chroma (a
    /// colour model's view is the picture itself; `color: gray` takes its luma).
    static func finish(
        _ view: consuming Image, parts: consuming PhotoColors, settings: DreamSettings, gray grayOutput: Bool,
        workers: Int = 1
    ) -> Image {
        if view.channels == 1 && !grayOutput {
            // Join, fitGamut and clamp in one pass, over the photo's planes when they are
            // not needed again.
            return parts.colored(
                luma: view, invert: settings.invert, fitsGamut: settings.range == .soft, workers: workers)
        }
        var view = view
        if settings.invert { Self.invert(&view, workers: workers) }
        var result: Image
        if view.channels == 3 {
            view.clamp()
            let rgb = grayOutput ? ColorSpace.luma(of: view) : view
            result = parts.alpha.map { Image(planes: (0..<rgb.channels).map { rgb.plane($0) } + [$0]) } ?? rgb
        } else {
            result = parts.alpha.map { Image(planes: [view, $0]) } ?? view
        }
        result.clamp(workers: workers)
        return result
    }

    /// `1 - image`, in place and in bands.
    static func invert(_ image: inout Image, workers: Int) {
        image.pixels.withUnsafeMutableBufferPointer { p in
            Bands.run(p.count, workers: workers) { range in
                for i in range { p[i] = 1 - p[i] }
            }
        }
    }

    /// `image += sign * addend`, pixel by pixel, in bands (a sign of -1 subtracts exactly).
    static func add(_ addend: Image, to image: inout Image, sign: Float = 1, workers: Int) {
        precondition(image.pixels.count == addend.pixels.count)
        image.pixels.withUnsafeMutableBufferPointer { p in
            addend.pixels.withUnsafeBufferPointer { a in
                Bands.run(p.count, workers: workers) { range in
                    for i in range { p[i] += sign * a[i] }
                }
            }
        }
    }

    /// Pulls colors that fell outside [0, 1] towards their gray at the same luminance, so a
    /// brightened saturated pixel keeps the luminance the dream gave it (a clamp would lose
    /// it and flatten the highlight).
    static func fitGamut(_ image: inout Image, luma: Image, workers: Int = 1) {
        let n = image.planeSize
        image.pixels.withUnsafeMutableBufferPointer { p in
            luma.pixels.withUnsafeBufferPointer { luma in
                Bands.run(n, workers: workers) { range in
                    for i in range {
                        var r = p[i], g = p[n + i], b = p[2 * n + i]
                        Self.fitGamut(&r, &g, &b, luma: luma[i])
                        (p[i], p[n + i], p[2 * n + i]) = (r, g, b)
                    }
                }
            }
        }
    }

    /// One pixel of `fitGamut`: `y` is its luminance.
    @inline(__always)
    static func fitGamut(_ r: inout Float, _ g: inout Float, _ b: inout Float, luma y: Float) {
        var k: Float = 1
        @inline(__always) func limit(_ v: Float) {
            if v > 1, v - y > 0 { k = min(k, max(1 - y, 0) / (v - y)) }
            if v < 0, y - v > 0 { k = min(k, max(y, 0) / (y - v)) }
        }
        limit(r)
        limit(g)
        limit(b)
        if k < 1 {
            r = y + k * (r - y)
            g = y + k * (g - y)
            b = y + k * (b - y)
        }
    }

    /// Scales the dream's change so the strength is met within 3%: the ascent stops near
    /// it, but upscaling and the range step move it. The factor is found by secant steps,
    /// since the range step's knee makes the change grow less than in proportion; with the
    /// soft range each step is measured on the range step's own sample (`SoftKnee`) and
    /// only the factor found is applied to every pixel. Returns the strength reached.
    private func calibrate(_ view: inout Image, photo: Image, strength: Float, plan: Plan) -> Float {
        let goal = GradientAscent.ChangeGoal(
            reference: photo, contrast: plan.contrast, target: strength, workers: plan.workers)
        var (f0, r0) = (Float(1), goal.change(of: view))
        guard r0 > 1e-4 else { return r0 }
        let sample =
            plan.settings.range == .soft
            ? view.pixels.withUnsafeBufferPointer { raw in
                photo.pixels.withUnsafeBufferPointer {
                    SoftKnee.Sample(raw, reference: $0, workers: plan.workers)
                }
            } : nil
        // The other ranges scale a copy of the dream (the soft one leaves `view` as it is until the end).
        let original = sample == nil ? view : nil
        let knee = SoftKnee(limits: plan.limits, workers: plan.workers)
        /// The strength after scaling the change by `factor` and the range step.
        func measure(_ factor: Float) -> Float {
            guard let raw = original else { return knee.rmsChange(of: sample!, factor: factor) / plan.contrast }
            var out = raw
            out.pixels.withUnsafeMutableBufferPointer { out in
                raw.pixels.withUnsafeBufferPointer { raw in
                    photo.pixels.withUnsafeBufferPointer { photo in
                        Bands.run(out.count, workers: plan.workers) { range in
                            for i in range { out[i] = photo[i] + (raw[i] - photo[i]) * factor }
                        }
                    }
                }
            }
            plan.adjustRange(&out, reference: photo)
            view = out
            return goal.change(of: out)
        }
        var f1 = min(strength / r0, 8)
        var scaled = false
        for _ in 0..<8 where abs(r0 / strength - 1) > GradientAscent.ChangeGoal.tolerance {
            let r1 = measure(f1)
            scaled = true
            (f0, r0, f1) = (f1, r1, r1 != r0 ? f1 + (strength - r1) * (f1 - f0) / (r1 - r0) : f1 * strength / r1)
            f1 = min(max(f1, 0.05), 8)
        }
        guard scaled, sample != nil else { return r0 }
        // The sample's factor on every pixel: the range step solves the same shift on the same sample.
        RangeAdjustment.soft(&view, reference: photo, limits: plan.limits, factor: f0, workers: plan.workers)
        return goal.change(of: view)
    }

    /// The seed's recipe: the whole photo at the network's input size, `loops` times ascend, upscale, re-add
    /// the detail the downscale lost, adjust the range, downscale again. With a strength,
    /// loop `l` of `L` ascends until `share * (l + 1) / L` of it is reached. Runs `items`
    /// copies of the photo as one batch (each with its own generator and, through the
    /// evaluator's `itemMaps`, its own map); stages are the first copy's.
    private func downscaleDream<G: RandomNumberGenerator>(
        _ view: Image, items: Int, plan: Plan, share: Float, wantStages: Bool, using generators: inout [G],
        onLoop: ((Int) -> Void)? = nil
    ) throws(NetworkError) -> (views: [Image], histories: [[Float]], stages: Image?) {
        let settings = plan.settings
        let resampler = resampler(for: settings)
        let side = model.inputShape.width
        let reference = resampler.resample(view, width: side, height: model.inputShape.height)
        var small = [Image](repeating: reference, count: items)
        var detail = view
        do {
            let blurred = resampler.resample(reference, width: view.width, height: view.height)
            Self.add(blurred, to: &detail, sign: -1, workers: workers)
        }
        var big = [Image](repeating: view, count: items)
        var histories = [[Float]](repeating: [], count: items)
        var stages: Image?
        for loop in 0..<settings.loops {
            tracker?.beginLoop(loop)
            onLoop?(loop)
            let goal = plan.goal(reference: reference, share: share * Float(loop + 1) / Float(settings.loops))
            var climbs = small.map {
                GradientAscent.Climb(
                    image: $0, steps: settings.steps, stepSize: settings.stepSize, lossCap: settings.lossCap,
                    goal: goal)
            }
            try plan.ascent.ascendWhole(
                &small, climbs: &climbs, jitter: min(settings.jitter, 2), generators: &generators)
            for n in 0..<items {
                histories[n] += climbs[n].history
                let upscaled = resampler.resample(small[n], width: view.width, height: view.height)
                big[n] = upscaled
                Self.add(detail, to: &big[n], workers: workers)
                let withDetail = big[n]
                plan.adjustRange(&big[n], reference: view)
                if wantStages && n == 0 && loop == settings.loops - 1 {
                    stages = StageStrip.make(
                        pattern: small[n], upscaled: upscaled, withDetail: withDetail, adjusted: big[n])
                }
                if loop < settings.loops - 1 {
                    small[n] = resampler.resample(big[n], width: side, height: model.inputShape.height)
                }
            }
        }
        return (big, histories, stages)
    }

    /// Multi-scale DeepDream: smallest octave first; after each, upscale and re-add the
    /// detail of the next octave. `photo` is what the strength is measured against (the
    /// input itself, or in mixed mode the photo before the downscale pass); octave `k` of
    /// `n` reaches `startShare + (1 - startShare) * (k + 1) / n` of the strength.
    private func octaveDream<G: RandomNumberGenerator>(
        _ view: Image, photo: Image, plan: Plan, history: inout [Float], using generator: inout G,
        forceTiles: Bool = false, startShare: Float = 0
    ) throws(NetworkError) -> Image {
        let settings = plan.settings
        let resampler = resampler(for: settings)
        // One octave's detail at a time, not the whole pyramid: bounded memory on large photos.
        let sizes = OctavePyramid.sizes(
            width: view.width, height: view.height, count: settings.octaves, scale: settings.octaveScale)
        let tiled = forceTiles || settings.mode == .tiles
        var current = resampler.resample(view, width: sizes[0].width, height: sizes[0].height)
        for octave in 0..<settings.octaves {
            let size = sizes[octave]
            tracker?.beginOctave(octave)
            if octave > 0 {
                current = resampler.resample(current, width: size.width, height: size.height)
                let detail = OctavePyramid.detail(of: view, sizes: sizes, octave: octave, resampler: resampler)
                for i in current.pixels.indices { current.pixels[i] += detail.pixels[i] }
            }
            // The photo at this octave's size: the pyramid's level when `view` is the photo.
            let reference = resampler.resample(photo, width: size.width, height: size.height)
            let share = startShare + (1 - startShare) * Float(octave + 1) / Float(settings.octaves)
            try plan.ascent.ascend(
                &current,
                view: tiled
                    ? .tiles(overlap: settings.tileOverlap, shifting: settings.tileGrid == .moving) : .whole,
                steps: settings.steps,
                stepSize: settings.stepSize, jitter: settings.jitter, lossCap: settings.lossCap,
                goal: plan.goal(reference: reference, share: share), using: &generator)
            history += plan.ascent.history
            plan.adjustRange(&current, reference: reference)
        }
        return current
    }
}
