import ArgumentParser
import Dreaming
import FileSupport

/// Flags that override single keys of a preset.
struct SettingsOverrides: ParsableArguments {
    @Option(help: "How the network looks at the photo.") var mode: DreamSettings.Mode?
    @Option(parsing: .unconditional, help: "Raise this map of --layer.") var map: Int?
    @Option(
        help: ArgumentHelp(
            "Raise several maps of --layer, each with a weight (default 1; negative lowers the map).",
            valueName: "3=1,17=0.5,56"))
    var maps: String?
    @Option(help: "Layer of --map/--maps: conv1, conv2, conv3, dense1, dense2 (default conv3).") var layer: String?
    @Option(help: ArgumentHelp("Whole layers with weights.", valueName: "conv2=0.5,conv3=1")) var layers: String?
    @Option(
        name: .customLong("class"), parsing: .unconditional, help: "Raise this class score (0-9) of the last layer.")
    var classIndex: Int?
    @Option(
        help: ArgumentHelp(
            "Make the dream look like this picture at --guide-layer: a PNG or JPEG, or a digit of the bundled data.",
            valueName: "IMAGE|mnist:class:7|mnist:test:N"))
    var guide: String?
    @Option(help: "Layer whose features --guide compares (default conv3).") var guideLayer: String?
    @Option(parsing: .unconditional, help: "Weight of the --guide term (default 1).") var guideWeight: Float?
    @Option(
        help: ArgumentHelp(
            "How much the dream changes the photo: RMS luminance change over the photo's contrast "
                + "(1 = as large as its contrast); 'off' for explicit --steps/--step-size.",
            valueName: "0.1-4|off"))
    var strength: String?
    @Option(parsing: .unconditional, help: "Gradient steps per loop or octave (with a strength: the planned count).")
    var steps: Int?
    @Option(
        parsing: .unconditional,
        help: "Mean pixel change per step (0-1 scale); turns the strength off unless --strength is given.")
    var stepSize: Float?
    @Option(parsing: .unconditional, help: "Downscale mode: ascend/upscale/re-add-detail rounds.") var loops: Int?
    @Option(parsing: .unconditional, help: "Number of octaves (scales).") var octaves: Int?
    @Option(parsing: .unconditional, help: "Size ratio between octaves.") var octaveScale: Double?
    @Option(parsing: .unconditional, help: "Largest random shift per step, pixels.") var jitter: Int?
    @Option(parsing: .unconditional, help: "Blur each step's gradient by this sigma, pixels (0: none).")
    var smoothing: Float?
    @Option(parsing: .unconditional, help: "Tiles: normalise each tile's gradient on its own, 0-1 (0: none).")
    var tileBalance: Float?
    @Option(parsing: .unconditional, help: "Stop an octave's steps when the objective exceeds this.") var lossCap:
        Float?
    @Option(parsing: .unconditional, help: "Overlap of neighbouring 28x28 tiles, pixels.") var tileOverlap: Int?
    @Option(help: "moving: shift the tile grid every step (no seams); fixed: each tile grows its own pattern.")
    var tileGrid: DreamSettings.TileGridMode?
    @Option(
        help: ArgumentHelp(
            "Tiles, conv, mixed: the share of the photo's short side the network's 28x28 view covers; "
                + "'native' for 28 photo pixels.", valueName: "0.08|native"))
    var patternSize: String?
    @Option(help: "Value range after each loop or octave.") var range: DreamSettings.RangeMode?
    @Option(parsing: .unconditional, help: "Target standard deviation for --range std (default: the photo's).")
    var rangeTarget: Float?
    @Option(help: "keep: dream on the luminance, keep the colors (an RGB model dreams in RGB); gray.") var color:
        DreamSettings.ColorMode?
    @Flag(inversion: .prefixedNo, help: "Dream on 1 - luminance (the network's white-on-black view).") var invert: Bool?
    @Flag(
        inversion: .prefixedNo,
        help: "Wrap around: the result tiles without seams (dream on noise:WxH for a texture; see the texture preset).")
    var seamless: Bool?
    @Option(help: "Random seed: same input, settings and seed give the same bytes.") var seed: UInt64?

    /// Every given flag in its range (`SettingsRanges`, the same as the preset keys').
    func check() throws {
        typealias R = SettingsRanges
        if map != nil && maps != nil { throw ValidationError("give --map or --maps, not both") }
        let maps = try parsedMaps() ?? []
        if maps.count > R.mapCount.upper {
            throw ValidationError("--maps: \(maps.count) maps, more than \(R.mapCount.upper)")
        }
        for entry in maps.entries {
            try checkRange(self.map != nil ? "--map" : "--maps", entry.map, R.map)
            try checkRange("--maps \(entry.map)", entry.weight, R.mapWeight)
        }
        if let problem = maps.problem() { throw ValidationError("--maps: \(problem)") }
        try checkRange("--guide-weight", guideWeight, R.guideWeight)
        if guide?.trimmingCharacters(in: .whitespaces).isEmpty == true {
            throw ValidationError("--guide: give a PNG or JPEG, or mnist:class:D for a digit; got ''")
        }
        for (name, weight) in try parsedLayers() ?? [:] { try checkRange("--layers \(name)", weight, R.layerWeight) }
        try checkRange("--class", classIndex, R.map)
        try checkRange("--steps", steps, R.steps)
        try checkRange("--step-size", stepSize, R.stepSize)
        try checkRange("--loops", loops, R.loops)
        try checkRange("--octaves", octaves, R.octaves)
        try checkRange("--octave-scale", octaveScale, R.octaveScale)
        try checkRange("--jitter", jitter, R.jitter)
        try checkRange("--smoothing", smoothing, R.smoothing)
        try checkRange("--tile-balance", tileBalance, R.tileBalance)
        try checkRange("--loss-cap", lossCap, R.lossCap)
        try checkRange("--tile-overlap", tileOverlap, R.tileOverlap)
        try checkRange("--range-target", rangeTarget, R.rangeTarget)
        if let strength = try parsedStrength(), let strength { try checkRange("--strength", strength, R.strength) }
        if case .fraction(let f) = try parsedPatternSize() { try checkRange("--pattern-size", f, R.patternSize) }
    }

    /// nil: not given; .some(nil): off.
    func parsedStrength() throws -> Float?? {
        guard let strength else { return nil }
        if strength == "off" { return .some(nil) }
        guard let value = Float(strength) else {
            throw ValidationError("--strength takes a number like 1 or 0.5, or 'off'; got '\(strength)'")
        }
        return .some(value)
    }

    func parsedPatternSize() throws -> DreamSettings.PatternSize? {
        guard let patternSize else { return nil }
        guard let value = DreamSettings.PatternSize(argument: patternSize) else {
            throw ValidationError("--pattern-size takes a fraction like 0.08, or 'native'; got '\(patternSize)'")
        }
        return value
    }

    func parsedMaps() throws -> MapWeights? {
        if let map { return [map] }
        guard let maps else { return nil }
        do {
            return try MapWeights(argument: maps)
        } catch {
            guard case .invalidSetting(_, let problem) = error else { throw error }
            throw ValidationError("--maps: \(problem)")
        }
    }

    func parsedLayers() throws -> [String: Float]? {
        guard let layers else { return nil }
        var result: [String: Float] = [:]
        for part in layers.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            let weight = pieces.count == 2 ? Float(pieces[1]) : (pieces.count == 1 ? 1 : nil)
            guard let weight, !pieces[0].isEmpty else {
                throw ValidationError("--layers takes NAME=WEIGHT pairs, like conv2=0.5,conv3=1; got '\(part)'")
            }
            result[pieces[0]] = weight
        }
        return result
    }

    /// The base settings with every given flag applied. An objective flag replaces the
    /// preset's whole objective, so `--class 4` does not also keep the preset's maps.
    func apply(to base: DreamSettings) throws -> DreamSettings {
        var s = base
        let maps = try parsedMaps(), layers = try parsedLayers()
        if maps != nil || layers != nil || classIndex != nil || guide != nil {
            s.maps = maps ?? []
            s.layers = layers ?? [:]
            s.classIndex = classIndex
            s.guide = guide
        }
        if let guideLayer { s.guideLayer = guideLayer }
        if let guideWeight { s.guideWeight = guideWeight }
        if let layer { s.layer = layer }
        if let mode { s.mode = mode }
        if let steps { s.steps = steps }
        if let stepSize {
            s.stepSize = stepSize
            s.strength = nil
        }
        if let strength = try parsedStrength() { s.strength = strength }
        if let patternSize = try parsedPatternSize() { s.patternSize = patternSize }
        if let loops { s.loops = loops }
        if let octaves { s.octaves = octaves }
        if let octaveScale { s.octaveScale = octaveScale }
        if let jitter { s.jitter = jitter }
        if let smoothing { s.smoothing = smoothing }
        if let tileBalance { s.tileBalance = tileBalance }
        if let lossCap { s.lossCap = lossCap }
        if let tileOverlap { s.tileOverlap = tileOverlap }
        if let tileGrid { s.tileGrid = tileGrid }
        if let range { s.range = range }
        if let rangeTarget { s.rangeTarget = rangeTarget }
        if let color { s.color = color }
        if let invert { s.invert = invert }
        if let seamless { s.seamless = seamless }
        if let seed { s.seed = seed }
        // The stored description must not keep saying "map 56" after --map 77.
        let changed = changes()
        if !changed.isEmpty {
            let note = "changed: " + changed.joined(separator: " ")
            s.description = s.description.isEmpty ? note : "\(s.description) (\(note))"
        }
        if let (key, problem) = s.problems().first {
            throw ValidationError("--\(flagName(key)): \(problem)")
        }
        return s
    }

    /// The given flags as they were typed ("--map 77"), in a fixed order.
    func changes() -> [String] {
        var result: [String] = []
        func add(_ flag: String, _ value: CustomStringConvertible?) {
            if let value { result.append("--\(flag) \(value)") }
        }
        add("mode", mode?.rawValue)
        add("layer", layer)
        add("map", map)
        add("maps", maps)
        add("layers", layers)
        add("class", classIndex)
        add("guide", guide)
        add("guide-layer", guideLayer)
        add("guide-weight", guideWeight)
        add("steps", steps)
        add("step-size", stepSize)
        add("loops", loops)
        add("octaves", octaves)
        add("octave-scale", octaveScale)
        add("jitter", jitter)
        add("smoothing", smoothing)
        add("tile-balance", tileBalance)
        add("loss-cap", lossCap)
        add("tile-overlap", tileOverlap)
        add("tile-grid", tileGrid?.rawValue)
        add("range", range?.rawValue)
        add("range-target", rangeTarget)
        add("color", color?.rawValue)
        if let invert { result.append(invert ? "--invert" : "--no-invert") }
        if let seamless { result.append(seamless ? "--seamless" : "--no-seamless") }
        add("seed", seed)
        return result
    }

    private func flagName(_ key: String) -> String {
        key == "classIndex" ? "class" : key.reduce("") { $0 + ($1.isUppercase ? "-" + $1.lowercased() : String($1)) }
    }
}

extension DreamSettings.Mode: ExpressibleByArgument {}
extension DreamSettings.RangeMode: ExpressibleByArgument {}
extension DreamSettings.ColorMode: ExpressibleByArgument {}
extension DreamSettings.TileGridMode: ExpressibleByArgument {}
