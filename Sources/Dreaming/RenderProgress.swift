import Resampling

/// Where a render is: the stage (a loop at the network's input size, or an octave), the
/// step within it, and the fraction of the whole render's work done, for a display to
/// turn into a bar and an ETA. The library reports, the command line prints.
public struct RenderProgress: Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable {
        /// One of downscale mode's `loops` at the network's input size (28x28 for MNIST).
        case loop
        case octave
        /// With a `patternSize` smaller than the photo: the dream brought to the photo's
        /// full size and its detail added (no steps).
        case detail
    }

    public var stage: Stage
    /// 1-based, of `count` stages of this kind.
    public var index: Int
    public var count: Int
    /// The size this stage dreams at.
    public var width: Int
    public var height: Int
    /// Steps done in this stage, of `steps` planned (a strength goal may take a few more).
    public var step: Int
    public var steps: Int
    /// Of the whole render's work, 0...1.
    public var fraction: Double

    public var description: String {
        switch stage {
        case .loop: return "\(width)x\(height) loop \(index)/\(count), step \(step)/\(steps)"
        case .octave: return "octave \(index)/\(count) (\(width)x\(height)), step \(step)/\(steps)"
        case .detail: return "detail at \(width)x\(height)"
        }
    }
}

/// The stages of one render and the work each costs, in pixel-steps through the network
/// (tiles count their input-sized pixels, overlaps included), plus the resampling each stage
/// does on its image: enough for a fraction that grows with the time spent.
final class ProgressTracker {
    struct Stage {
        var kind: RenderProgress.Stage
        var index: Int
        var count: Int
        var width: Int
        var height: Int
        var steps: Int
        var workPerStep: Double
        /// Resampling and detail at the stage's start, in the same units.
        var setupWork: Double
    }

    /// A resampled pixel against one pixel through the network and back (measured
    /// order of magnitude: a 24 MP ghost render spends 50 times longer resampling than
    /// its 80 steps on 28x28).
    static let resampleWeight = 0.01

    let stages: [Stage]
    private let total: Double
    private let report: (RenderProgress) -> Void
    private var current = 0
    private let loopCount: Int
    private var doneBefore = 0.0

    /// `width` x `height`: the size the dream runs at; `fullSize`: the photo's, when the
    /// dream runs smaller (`patternSize`) and is brought up to it at the end.
    init(
        settings: DreamSettings, width: Int, height: Int, network: (width: Int, height: Int),
        fullSize: (width: Int, height: Int)? = nil, report: @escaping (RenderProgress) -> Void
    ) {
        var stages: [Stage] = []
        let photo = Double(width * height)
        if settings.mode == .downscale || settings.mode == .mixed {
            for loop in 0..<settings.loops {
                stages.append(
                    Stage(
                        kind: .loop, index: loop + 1, count: settings.loops, width: network.width,
                        height: network.height, steps: settings.steps,
                        workPerStep: Double(network.width * network.height),
                        setupWork: 3 * photo * Self.resampleWeight))
            }
        }
        if settings.mode != .downscale {
            let sizes = OctavePyramid.sizes(
                width: width, height: height, count: settings.octaves, scale: settings.octaveScale)
            let tiled = settings.mode != .conv
            for (octave, size) in sizes.enumerated() {
                let pixels = Double(size.width * size.height)
                let perStep =
                    tiled
                    ? Double(
                        TileGrid(
                            imageWidth: size.width, imageHeight: size.height, tileSize: network.width,
                            overlap: settings.tileOverlap
                        ).count * network.width * network.height) : pixels
                stages.append(
                    Stage(
                        kind: .octave, index: octave + 1, count: sizes.count, width: size.width, height: size.height,
                        steps: settings.steps, workPerStep: perStep, setupWork: 3 * pixels * Self.resampleWeight))
            }
        }
        if let fullSize {
            stages.append(
                Stage(
                    kind: .detail, index: 1, count: 1, width: fullSize.width, height: fullSize.height, steps: 0,
                    workPerStep: 0, setupWork: 6 * Double(fullSize.width * fullSize.height) * Self.resampleWeight))
        }
        self.stages = stages
        loopCount = stages.filter { $0.kind == .loop }.count
        total = max(stages.reduce(0) { $0 + $1.setupWork + Double($1.steps) * $1.workPerStep }, 1)
        self.report = report
    }

    func beginLoop(_ loop: Int) { begin(loop) }
    func beginOctave(_ octave: Int) { begin(loopCount + octave) }
    func beginDetail() { begin(stages.count - 1) }

    /// Stage `k` (in render order) starts: earlier stages count as done, even when a
    /// loss cap or a strength goal ended them early.
    func begin(_ k: Int) {
        current = k
        doneBefore = stages[0..<k].reduce(0) { $0 + $1.setupWork + Double($1.steps) * $1.workPerStep }
        step(0)
    }

    func step(_ j: Int) {
        let stage = stages[current]
        // A strength goal may take more steps than planned: the stage stays at its share.
        let done = doneBefore + stage.setupWork + Double(min(j, stage.steps)) * stage.workPerStep
        report(
            RenderProgress(
                stage: stage.kind, index: stage.index, count: stage.count, width: stage.width, height: stage.height,
                step: j, steps: stage.steps, fraction: min(done / total, 1)))
    }
}
