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
        /// Dream on the luminance and keep the photo's colors.
        case keep
        /// Gray output, like the seed's pictures.
        case gray
    }

    public static let currentVersion = 1

    public var version: Int = DreamSettings.currentVersion
    /// One line for `dream presets`.
    public var description: String = ""
    public var mode: Mode = .downscale
    /// Layer of the `maps` terms.
    public var layer: String = "conv3"
    /// Maps of `layer` whose mean (pre-activation) response is raised, all with weight 1.
    public var maps: [Int] = [56]
    /// Whole layers with weights: the mean squared activation of each, times its weight.
    public var layers: [String: Float] = [:]
    /// A class of the last layer whose score (logit) is raised.
    public var classIndex: Int? = nil
    /// Gradient steps per loop (downscale) or per octave (tiles, conv).
    public var steps: Int = 20
    /// Step length: the mean absolute change of a pixel per step, in [0, 1] units.
    public var stepSize: Float = 0.02
    /// Downscale mode: how often to ascend, upscale, re-add detail and downscale again.
    public var loops: Int = 4
    public var octaves: Int = 1
    public var octaveScale: Double = 1.4
    /// Largest random shift (pixels) of the image or tile grid before each step, so no
    /// grid or border shows; 0 for none.
    public var jitter: Int = 0
    /// Stop an octave's steps once the objective exceeds this.
    public var lossCap: Float? = nil
    /// Overlap of neighbouring tiles in pixels (tiles, mixed).
    public var tileOverlap: Int = 4
    public var tileGrid: TileGridMode = .moving
    public var range: RangeMode = .std
    /// Target standard deviation for `range: std`; nil keeps the photo's own.
    public var rangeTarget: Float? = nil
    public var color: ColorMode = .keep
    /// Dream on 1 - luminance: the network's own white-ink-on-black view.
    public var invert: Bool = false
    public var seed: UInt64 = 1

    public init() {}

    static let keys = [
        "version", "description", "mode", "layer", "maps", "layers", "classIndex", "steps", "stepSize",
        "loops", "octaves", "octaveScale", "jitter", "lossCap", "tileOverlap", "tileGrid", "range", "rangeTarget",
        "color", "invert", "seed",
    ]
}

extension DreamSettings {
    /// Decodes keys present in the JSON over `base`, leaving the others as they are.
    init(overlaying base: DreamSettings, from decoder: Decoder) throws {
        self = base
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<DreamSettings, T>) throws {
            if let value = try c.decodeIfPresent(T.self, forKey: key) { self[keyPath: path] = value }
        }
        try take(.version, \.version)
        try take(.description, \.description)
        try take(.mode, \.mode)
        try take(.layer, \.layer)
        try take(.maps, \.maps)
        try take(.layers, \.layers)
        if c.contains(.classIndex) { classIndex = try c.decodeIfPresent(Int.self, forKey: .classIndex) }
        try take(.steps, \.steps)
        try take(.stepSize, \.stepSize)
        try take(.loops, \.loops)
        try take(.octaves, \.octaves)
        try take(.octaveScale, \.octaveScale)
        try take(.jitter, \.jitter)
        if c.contains(.lossCap) { lossCap = try c.decodeIfPresent(Float.self, forKey: .lossCap) }
        try take(.tileOverlap, \.tileOverlap)
        try take(.tileGrid, \.tileGrid)
        try take(.range, \.range)
        if c.contains(.rangeTarget) { rangeTarget = try c.decodeIfPresent(Float.self, forKey: .rangeTarget) }
        try take(.color, \.color)
        try take(.invert, \.invert)
        try take(.seed, \.seed)
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
        try c.encode(steps, forKey: .steps)
        try c.encode(stepSize, forKey: .stepSize)
        try c.encode(loops, forKey: .loops)
        try c.encode(octaves, forKey: .octaves)
        try c.encode(octaveScale, forKey: .octaveScale)
        try c.encode(jitter, forKey: .jitter)
        try c.encode(lossCap, forKey: .lossCap)
        try c.encode(tileOverlap, forKey: .tileOverlap)
        try c.encode(tileGrid, forKey: .tileGrid)
        try c.encode(range, forKey: .range)
        try c.encode(rangeTarget, forKey: .rangeTarget)
        try c.encode(color, forKey: .color)
        try c.encode(invert, forKey: .invert)
        try c.encode(seed, forKey: .seed)
    }

    /// Values out of range, as (key, problem) pairs; empty when all is well.
    public func problems() -> [(key: String, problem: String)] {
        var result: [(String, String)] = []
        if version > Self.currentVersion {
            result.append(("version", "\(version) is newer than this dream understands (\(Self.currentVersion))"))
        }
        if steps < 0 { result.append(("steps", "must be 0 or more, not \(steps)")) }
        if !(stepSize >= 0 && stepSize <= 1) { result.append(("stepSize", "must be in 0...1, not \(stepSize)")) }
        if loops < 1 { result.append(("loops", "must be at least 1, not \(loops)")) }
        if octaves < 1 || octaves > 12 { result.append(("octaves", "must be in 1...12, not \(octaves)")) }
        if !(octaveScale >= 1.05 && octaveScale <= 4) {
            result.append(("octaveScale", "must be in 1.05...4, not \(octaveScale)"))
        }
        // The upper bound (below the network's input size) is checked against the model.
        if jitter < 0 { result.append(("jitter", "must be 0 or more, not \(jitter)")) }
        if let lossCap, !lossCap.isFinite { result.append(("lossCap", "must be a number, not \(lossCap)")) }
        if tileOverlap < 0 || tileOverlap > 20 {
            result.append(("tileOverlap", "must be in 0...20, not \(tileOverlap)"))
        }
        if let rangeTarget, !(rangeTarget > 0 && rangeTarget <= 0.5) {
            result.append(("rangeTarget", "must be in (0, 0.5], not \(rangeTarget)"))
        }
        if maps.isEmpty && layers.isEmpty && classIndex == nil {
            result.append(("maps", "the objective is empty: give maps, layers or classIndex"))
        }
        if let bad = maps.first(where: { $0 < 0 }) { result.append(("maps", "map \(bad) is negative")) }
        if let bad = layers.first(where: { !$0.value.isFinite }) {
            result.append(("layers", "weight of \(bad.key) is not a number"))
        }
        return result
    }
}
