import FileSupport
import NeuralNet

/// Every numeric setting's documented range, in one place: the preset keys and the flags
/// that override them, the other commands' flags, and (by reference) the training flags.
/// Flags are checked against these before any work, presets when they are read; the
/// README's table "Settings and flags: ranges" is `markdownTable`, checked by a test.
public enum SettingsRanges {
    // Dream settings: preset keys and the render flags of the same name.
    /// Gradient steps per loop or octave. Bounded so a typo cannot run for days.
    public static let strength = SettingRange<Float>(0, 4, excludesLower: true)
    public static let patternSize = SettingRange<Double>(0.01...1)
    public static let steps = SettingRange(0...10_000)
    public static let stepSize = SettingRange<Float>(0...1)
    public static let loops = SettingRange(1...100)
    public static let octaves = SettingRange(1...12)
    public static let octaveScale = SettingRange<Double>(1.05...4)
    public static let jitter = SettingRange(0...27)
    public static let smoothing = SettingRange<Float>(0...8)
    public static let tileBalance = SettingRange<Float>(0...1)
    public static let lossCap = SettingRange<Float>(-1e6...1e6)
    public static let tileOverlap = SettingRange(0...20)
    public static let rangeTarget = SettingRange<Float>(0, 0.5, excludesLower: true)
    /// A map or class index before it meets the model (which then checks its own count).
    public static let map = SettingRange(0...4095)
    /// At most this many maps in one objective.
    public static let mapCount = SettingRange(0...256)
    public static let layerWeight = SettingRange<Float>(-100...100)
    /// A map's weight in `maps` (negative: the map is lowered).
    public static let mapWeight = SettingRange<Float>(-100...100)
    public static let guideWeight = SettingRange<Float>(-100...100)
    public static let seed = SettingRange(0...UInt64.max)
    public static let descriptionLength = SettingRange(0...1000)
    /// Each side of a `noise:WxH` input.
    public static let noiseSide = SettingRange(28...8192)

    // Other flags.
    /// `--max-megapixels`: also keeps the pixel count far from overflowing.
    public static let maxMegapixels = SettingRange(1...1000)
    public static let jpegQuality = SettingRange(1...100)
    public static let jobs = SettingRange(1...64)
    public static let oipSteps = SettingRange(1...10_000)
    public static let oipStepSize = SettingRange<Float>(0, 1, excludesLower: true)
    public static let restarts = SettingRange(0...100)
    public static let sheetRetries = SettingRange(0...10)
    public static let noiseScale = SettingRange(1...28)
    public static let oipCount = SettingRange(1...64)
    public static let patternScale = SettingRange(1...32)
    public static let viewScale = SettingRange(1...64)
    public static let benchSeconds = SettingRange<Double>(0.01...600)
    /// `--threads` and `DREAM_THREADS` (checked by `Parallelism.choose`).
    public static let threads = SettingRange(1...Parallelism.maximum)

    // Training: defined beside the trainer, which checks them too.
    public typealias Training = Trainer.Settings.Limits

    /// One row of the README's table: where the setting is given, its range, its default.
    public struct Row: Sendable, Equatable {
        public var names: String
        public var range: String
        public var defaultValue: String
    }

    public static var rows: [Row] {
        let d = DreamSettings(), t = Trainer.Settings()
        func row(_ names: String, _ range: some CustomStringConvertible, _ value: some CustomStringConvertible) -> Row {
            Row(names: names, range: "\(range)", defaultValue: "\(value)")
        }
        return [
            row("`steps` / `--steps`", steps, d.steps),
            row("`stepSize` / `--step-size`", stepSize, d.stepSize),
            row("`loops` / `--loops`", loops, d.loops),
            row("`octaves` / `--octaves`", octaves, d.octaves),
            row("`octaveScale` / `--octave-scale`", octaveScale, d.octaveScale),
            row("`jitter` / `--jitter`", jitter, d.jitter),
            row("`smoothing` / `--smoothing`", smoothing, d.smoothing),
            row("`tileBalance` / `--tile-balance`", tileBalance, d.tileBalance),
            row("`lossCap` / `--loss-cap`", lossCap, "none"),
            row("`tileOverlap` / `--tile-overlap`", tileOverlap, d.tileOverlap),
            row("`rangeTarget` / `--range-target`", rangeTarget, "the photo's"),
            row("`maps` / `--map`, `--maps` (each)", map, "56"),
            row("`maps` / `--maps` (each weight)", mapWeight, 1),
            row("`maps` (how many)", mapCount, 1),
            row("`classIndex` / `--class`", map, "none"),
            row("`layers` / `--layers` (each weight)", layerWeight, "none"),
            row("`guideWeight` / `--guide-weight`", guideWeight, 1),
            row("`seed` / `--seed`", seed, d.seed),
            row("`seamless` / `--seamless`, `--no-seamless`", "true, false", d.seamless),
            row("`--mask` (flag only)", "a PNG or JPEG within `--max-megapixels`, any size", "none"),
            row("`noise:WxH` inputs (each side)", noiseSide, "none"),
            row("`description` (characters)", descriptionLength, "empty"),
            row("`--max-megapixels`", maxMegapixels, 100),
            row("`--jpeg-quality`", jpegQuality, 92),
            row("`batch --jobs`", jobs, "workers"),
            row("`oip`/`sheet` `--steps`", oipSteps, 150),
            row("`oip`/`sheet` `--step-size`", oipStepSize, 0.02),
            row("`oip`/`sheet` `--restarts`", restarts, 3),
            row("`oip`/`sheet` `--noise-scales` (each)", noiseScale, "1,2"),
            row("`sheet --retries`", sheetRetries, 3),
            row("`oip --count`", oipCount, 4),
            row("`oip --scale`, `sheet --scale`", patternScale, "8, 4"),
            row("`view --scale`", viewScale, 10),
            row("`bench --seconds`", benchSeconds, 3),
            row("`--threads`, `DREAM_THREADS`", threads, "the CPUs given"),
            row("`train --epochs`", Training.epochs, t.epochs),
            row("`train --batch`", Training.batchSize, t.batchSize),
            row("`train --lr`", Training.learningRate, t.learningRate),
            row("`train --momentum`", Training.momentum, t.momentum),
            row("`train --l2`", Training.l2, t.l2),
            row("`train --lr-drop`", Training.learningRateDrop, t.learningRateDrop),
            row("`train --drop-every`", Training.dropEvery, t.dropEvery),
            row("`train --warmup`", Training.warmupBatches, t.warmupBatches),
            row("`train --seed`", seed, t.seed),
        ]
    }

    /// The README's table, verbatim.
    public static var markdownTable: String {
        (["| key / flag | range | default |", "| --- | --- | --- |"]
            + rows.map { "| \($0.names) | \($0.range) | \($0.defaultValue) |" }).joined(separator: "\n")
    }
}
