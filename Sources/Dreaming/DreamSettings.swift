import FileSupport

/// Everything that decides a dream. Presets are JSON objects with any subset of these
/// keys; command-line flags override them.
public struct DreamSettings: Codable, Sendable, Equatable {
    /// How the network looks at the photo.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// The whole picture seen at the network's input size (the seed's recipe), `loops` times.
        case downscale
        /// Each octave split into tiles of the network's input size, processed as one batch; the grid moves every step.
        case tiles
        /// The conv layers run over the whole octave image at once (conv objectives only).
        case conv
        /// A downscale pass for the large forms, then tiled octaves for detail.
        case mixed
    }

    /// What happens to the value distribution after each loop or octave.
    public enum RangeMode: String, Codable, Sendable, CaseIterable {
        /// Leave values as they are (clipped only when written).
        case none
        /// Clip to [0, 1].
        case clip
        /// Map [min, max] to [0, 1].
        case stretch
        /// Set the standard deviation to `rangeTarget` (default: the photo's), keep the mean, clip.
        case std
        /// Keep the photo's mean brightness and let the dream's change roll off softly
        /// (tanh knee) before the photo's own darkest and brightest values (plus a margin):
        /// nothing turns pure black or white that was not (version 2's default).
        case soft
    }

    /// How large the network's input-sized view is on the photo (tiles, conv and mixed modes).
    public enum PatternSize: Sendable, Equatable, Codable {
        /// 28 photo pixels: patterns shrink as the photo grows (version 1's behaviour).
        case native
        /// This fraction of the photo's short side: the dream runs on a copy downscaled so
        /// 28 px covers it, and the photo's full-resolution detail is added back at the end.
        case fraction(Double)

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let value = try? c.decode(Double.self) {
                self = .fraction(value)
            } else if let text = try? c.decode(String.self), text == "native" {
                self = .native
            } else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected a fraction of the short side like 0.08, or \"native\"")
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .native: try c.encode("native")
            case .fraction(let value): try c.encode(value)
            }
        }

        /// The fraction, nil for native.
        public var fraction: Double? { if case .fraction(let f) = self { f } else { nil } }

        /// "native" or a number.
        public init?(argument: String) {
            if argument == "native" {
                self = .native
            } else if let value = Double(argument) {
                self = .fraction(value)
            } else {
                return nil
            }
        }
    }

    /// How the tile grid sits on the image between steps.
    public enum TileGridMode: String, Codable, Sendable, CaseIterable {
        /// Shifted every step, so no seams show (the default).
        case moving
        /// Fixed: every tile keeps its place and grows its own pattern, e.g. one digit per
        /// tile for a class dream; the grid shows.
        case fixed
    }

    public enum ColorMode: String, Codable, Sendable, CaseIterable {
        /// A one-channel model dreams on the luminance and the photo's colors are kept; a
        /// three-channel (RGB) model dreams on the RGB planes themselves, so the dream
        /// changes the colors too (a gray photo can come out colored).
        case keep
        /// Gray output, like the seed's pictures (an RGB model's dream, as its luminance).
        case gray
    }

    /// Version 2 added `strength`, `patternSize` and `range: soft` as defaults; a version 1
    /// file that lacks them keeps version 1's behaviour (explicit steps, std range, native
    /// pattern size), so old renders can be reproduced.
    public static let currentVersion = 2

    public var version: Int = DreamSettings.currentVersion
    /// One line for `dream presets`.
    public var description: String = ""
    public var mode: Mode = .downscale
    /// Layer of the `maps` terms.
    public var layer: String = "conv3"
    /// Maps of `layer` whose mean (pre-activation) response is raised, each with its
    /// weight (negative: lowered).
    public var maps: MapWeights = [56]
    /// Whole layers with weights: the mean squared activation of each, times its weight.
    public var layers: [String: Float] = [:]
    /// A class of the last layer whose score (logit) is raised.
    public var classIndex: Int? = nil
    /// A picture the dream should look like at `guideLayer` (`DreamGuide`): a PNG or JPEG
    /// path, or `mnist:test:N`, `mnist:train:N`, `mnist:class:D` for a digit of the
    /// bundled data.
    public var guide: String? = nil
    /// The layer whose features the guide term compares: conv3 tells a 7 from a 0 best
    /// (conv2's short strokes are shared by both; see GuideAndMapWeightTests).
    public var guideLayer: String = "conv3"
    /// The guide term's weight, like a layer's in `layers`.
    public var guideWeight: Float = 1
    /// How much the dream changes the photo: the RMS change of the luminance over the
    /// photo's own luminance standard deviation (1 = as large as the photo's contrast).
    /// The engine sizes its steps to reach it; nil: `steps` steps of `stepSize` each.
    public var strength: Float? = 1
    /// Gradient steps per loop (downscale) or per octave (tiles, conv); with `strength`,
    /// the planned count (up to 4 times as many are taken if the goal is not reached).
    public var steps: Int = 20
    /// Step length without `strength`: the mean absolute change of a pixel per step, in
    /// [0, 1] units.
    public var stepSize: Float = 0.02
    /// Downscale mode: how often to ascend, upscale, re-add detail and downscale again.
    public var loops: Int = 4
    public var octaves: Int = 1
    public var octaveScale: Double = 1.4
    /// Largest random shift (pixels) of the image or tile grid before each step, so no
    /// grid or border shows; 0 for none.
    public var jitter: Int = 0
    /// Standard deviation (pixels of the image the network sees: the 28x28 view, a tile's
    /// octave) of a Gaussian blur on every step's gradient; 0 for none. A frequency
    /// penalty: the dream grows bold forms and curly strokes instead of specks.
    public var smoothing: Float = 0
    /// Tiles: how far each tile's gradient is normalised on its own (0: the whole image as
    /// one, 1: every tile alike), so flat areas dream as the edges do.
    public var tileBalance: Float = 0
    /// Stop an octave's steps once the objective exceeds this.
    public var lossCap: Float? = nil
    /// Overlap of neighbouring tiles in pixels (tiles, mixed).
    public var tileOverlap: Int = 4
    public var tileGrid: TileGridMode = .moving
    public var patternSize: PatternSize = .native
    public var range: RangeMode = .soft
    /// Target standard deviation for `range: std`; nil keeps the photo's own.
    public var rangeTarget: Float? = nil
    public var color: ColorMode = .keep
    /// Dream on 1 - luminance: the network's own white-ink-on-black view.
    public var invert: Bool = false
    /// Treat the image as wrapping around (a torus): every resampling wraps and every
    /// step rolls the image by a random offset, so the result tiles without seams.
    public var seamless: Bool = false
    public var seed: UInt64 = 1

    public init() {}

    static let keys = [
        "version", "description", "mode", "layer", "maps", "layers", "classIndex", "guide", "guideLayer",
        "guideWeight", "strength", "steps", "stepSize", "loops", "octaves", "octaveScale", "jitter", "smoothing",
        "tileBalance", "lossCap", "tileOverlap", "tileGrid", "patternSize", "range", "rangeTarget", "color",
        "invert", "seamless", "seed",
    ]
}

extension DreamSettings {
    /// Reads the keys present in a preset (or a render's embedded settings) over `base`.
    /// Every value is checked for its type and its range (`SettingsRanges`) as it is read,
    /// so an error names the key and says what was expected; unknown keys are refused
    /// with the nearest known one.
    public init(overlaying base: DreamSettings, json: JSONValue) throws(JSONError) {
        self = base
        typealias R = SettingsRanges
        let members = try json.object(at: "(file)")
        if let version = members.first(where: { $0.key == "version" }),
            try version.value.integer(in: SettingRange(0...Int.max), at: "version") < 2
        {
            // Version 1 had no strength, soft range or pattern size: keep its behaviour.
            strength = nil
            range = .std
            patternSize = .native
        }
        for member in members {
            let key = member.key, value = member.value
            switch key {
            case "version": version = try value.integer(in: SettingRange(0...Int.max), at: key)
            case "description":
                description = try value.string(at: key)
                guard R.descriptionLength.contains(description.count) else {
                    throw .wrongType(
                        path: key, expected: "at most \(R.descriptionLength.upper) characters", found: "more")
                }
            case "mode": mode = try value.choice(Mode.self, at: key)
            case "layer": layer = try value.string(at: key)
            case "maps": maps = try MapWeights(json: value, at: key)
            case "layers":
                var weights: [String: Float] = [:]
                for entry in try value.object(at: key) {
                    weights[entry.key] = try entry.value.number(
                        in: R.layerWeight, at: JSONValue.path(key, entry.key))
                }
                layers = weights
            case "classIndex": classIndex = value == .null ? nil : try value.integer(in: R.map, at: key)
            case "guide":
                guide = value == .null ? nil : try value.string(at: key)
                if let guide, guide.isEmpty || guide.count > R.descriptionLength.upper {
                    throw .wrongType(
                        path: key, expected: "a picture's path or mnist:class:D", found: "\"\(guide.prefix(40))\"")
                }
            case "guideLayer": guideLayer = try value.string(at: key)
            case "guideWeight": guideWeight = try value.number(in: R.guideWeight, at: key)
            case "strength": strength = value == .null ? nil : try value.number(in: R.strength, at: key)
            case "patternSize":
                if case .string(let text) = value {
                    guard text == "native" else {
                        throw .wrongType(path: key, expected: "a fraction of the short side or \"native\"", found: text)
                    }
                    patternSize = .native
                } else {
                    patternSize = .fraction(try value.number(in: R.patternSize, at: key))
                }
            case "steps": steps = try value.integer(in: R.steps, at: key)
            case "stepSize": stepSize = try value.number(in: R.stepSize, at: key)
            case "loops": loops = try value.integer(in: R.loops, at: key)
            case "octaves": octaves = try value.integer(in: R.octaves, at: key)
            case "octaveScale": octaveScale = try value.number(in: R.octaveScale, at: key)
            case "jitter": jitter = try value.integer(in: R.jitter, at: key)
            case "smoothing": smoothing = try value.number(in: R.smoothing, at: key)
            case "tileBalance": tileBalance = try value.number(in: R.tileBalance, at: key)
            case "lossCap": lossCap = value == .null ? nil : try value.number(in: R.lossCap, at: key)
            case "tileOverlap": tileOverlap = try value.integer(in: R.tileOverlap, at: key)
            case "tileGrid": tileGrid = try value.choice(TileGridMode.self, at: key)
            case "range": range = try value.choice(RangeMode.self, at: key)
            case "rangeTarget": rangeTarget = value == .null ? nil : try value.number(in: R.rangeTarget, at: key)
            case "color": color = try value.choice(ColorMode.self, at: key)
            case "invert": invert = try value.bool(at: key)
            case "seamless": seamless = try value.bool(at: key)
            case "seed": seed = try value.integer(in: R.seed, at: key)
            default:
                let nearest = Self.keys.min { editDistance($0, key) < editDistance($1, key) }!
                throw .unknownKey(path: key, suggestion: nearest)
            }
        }
    }

    /// Every key, unset optional ones as null, so a printed or embedded settings object is
    /// complete.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(description, forKey: .description)
        try c.encode(mode, forKey: .mode)
        try c.encode(layer, forKey: .layer)
        try c.encode(maps, forKey: .maps)
        try c.encode(layers, forKey: .layers)
        try c.encode(classIndex, forKey: .classIndex)
        try c.encode(guide, forKey: .guide)
        try c.encode(guideLayer, forKey: .guideLayer)
        try c.encode(guideWeight, forKey: .guideWeight)
        try c.encode(strength, forKey: .strength)
        try c.encode(steps, forKey: .steps)
        try c.encode(stepSize, forKey: .stepSize)
        try c.encode(loops, forKey: .loops)
        try c.encode(octaves, forKey: .octaves)
        try c.encode(octaveScale, forKey: .octaveScale)
        try c.encode(jitter, forKey: .jitter)
        try c.encode(smoothing, forKey: .smoothing)
        try c.encode(tileBalance, forKey: .tileBalance)
        try c.encode(lossCap, forKey: .lossCap)
        try c.encode(tileOverlap, forKey: .tileOverlap)
        try c.encode(tileGrid, forKey: .tileGrid)
        try c.encode(patternSize, forKey: .patternSize)
        try c.encode(range, forKey: .range)
        try c.encode(rangeTarget, forKey: .rangeTarget)
        try c.encode(color, forKey: .color)
        try c.encode(invert, forKey: .invert)
        try c.encode(seamless, forKey: .seamless)
        try c.encode(seed, forKey: .seed)
    }

    /// Values out of range, as (key, problem) pairs; empty when all is well. Flags and
    /// code-built settings meet the same `SettingsRanges` as presets.
    public func problems() -> [(key: String, problem: String)] {
        typealias R = SettingsRanges
        var result: [(String, String)] = []
        if version > Self.currentVersion {
            result.append(("version", "\(version) is newer than this dream understands (\(Self.currentVersion))"))
        }
        let checks: [(String, String?)] = [
            ("strength", strength.flatMap { R.strength.problem($0) }),
            ("patternSize", patternSize.fraction.flatMap { R.patternSize.problem($0) }),
            ("steps", R.steps.problem(steps)), ("stepSize", R.stepSize.problem(stepSize)),
            ("loops", R.loops.problem(loops)), ("octaves", R.octaves.problem(octaves)),
            ("octaveScale", R.octaveScale.problem(octaveScale)), ("jitter", R.jitter.problem(jitter)),
            ("smoothing", R.smoothing.problem(smoothing)), ("tileBalance", R.tileBalance.problem(tileBalance)),
            ("lossCap", lossCap.flatMap { R.lossCap.problem($0) }),
            ("tileOverlap", R.tileOverlap.problem(tileOverlap)),
            ("rangeTarget", rangeTarget.flatMap { R.rangeTarget.problem($0) }),
            ("classIndex", classIndex.flatMap { R.map.problem($0) }),
            ("guideWeight", R.guideWeight.problem(guideWeight)),
            ("description", R.descriptionLength.problem(description.count)),
        ]
        result += checks.compactMap { key, problem in problem.map { (key, $0) } }
        if maps.isEmpty && layers.isEmpty && classIndex == nil && guide == nil {
            result.append(("maps", "the objective is empty: give maps, layers, classIndex or guide"))
        }
        if let problem = maps.problem() { result.append(("maps", problem)) }
        if guide?.isEmpty == true { result.append(("guide", "is empty: give a picture's path or mnist:class:D")) }
        if let bad = layers.sorted(by: { $0.key < $1.key }).first(where: { !R.layerWeight.contains($0.value) }) {
            result.append(("layers", "weight of \(bad.key) \(R.layerWeight.problem(bad.value)!)"))
        }
        return result
    }
}
