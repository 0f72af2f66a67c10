import Dreaming
import Foundation
import Imaging
import NeuralNet

/// The OIPs of every (or some) maps of one layer on one contact sheet, with a manifest
/// that says how each pattern compares with the MNIST test set.
///
/// The bar is the best test digit: a map succeeds only when its pattern drives it above
/// its largest response over the whole test set. A map that never fires on any test
/// digit is dead: no pattern can tell us what it looks for in digits, whatever it reaches.
public struct LayerSheet {
    public enum Verdict: String, Codable, Sendable {
        /// Above the map's largest response over the test set.
        case succeeded
        /// At or below it.
        case failed
        /// The map never fires on the test set (test max at or below `deadBelow`).
        case dead
    }

    public struct Entry: Codable, Sendable {
        public var map: Int
        public var activation: Float
        public var testMean: Float
        public var testMax: Float
        /// activation / testMax: above 1 the pattern beats every test digit; nil for dead maps.
        public var ratio: Float?
        public var verdict: Verdict
        public var succeeded: Bool { verdict == .succeeded }
        public var restarts: Int
        /// Searches run for the map: 1, plus one per retry from a new seed while it failed.
        public var searches: Int

        enum CodingKeys: String, CodingKey {
            case map, activation, testMean, testMax, ratio, verdict, succeeded, dead, restarts, searches
        }

        public init(
            map: Int, activation: Float, testMean: Float, testMax: Float, deadBelow: Float, restarts: Int,
            searches: Int = 1
        ) {
            self.map = map
            self.activation = activation
            self.testMean = testMean
            self.testMax = testMax
            self.restarts = restarts
            self.searches = searches
            if testMax <= deadBelow {
                verdict = .dead
                ratio = nil
            } else {
                verdict = activation > testMax ? .succeeded : .failed
                ratio = activation / testMax
            }
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            map = try c.decode(Int.self, forKey: .map)
            activation = try c.decode(Float.self, forKey: .activation)
            testMean = try c.decode(Float.self, forKey: .testMean)
            testMax = try c.decode(Float.self, forKey: .testMax)
            ratio = try c.decodeIfPresent(Float.self, forKey: .ratio)
            verdict = try c.decode(Verdict.self, forKey: .verdict)
            restarts = try c.decode(Int.self, forKey: .restarts)
            searches = try c.decodeIfPresent(Int.self, forKey: .searches) ?? 1
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(map, forKey: .map)
            try c.encode(activation, forKey: .activation)
            try c.encode(testMean, forKey: .testMean)
            try c.encode(testMax, forKey: .testMax)
            try c.encode(ratio, forKey: .ratio)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(verdict == .succeeded, forKey: .succeeded)
            try c.encode(verdict == .dead, forKey: .dead)
            try c.encode(restarts, forKey: .restarts)
            try c.encode(searches, forKey: .searches)
        }
    }

    public struct Manifest: Codable, Sendable {
        public var layer: String
        /// What `activation` measures: the map's mean ReLU response, or a class's logit.
        public var measure: String
        public var criterion: String
        /// A map whose test max is at or below this is dead.
        public var deadBelow: Float
        public var maps: [Entry]
        public var succeeded: Int
        public var failed: Int
        public var dead: Int
        public var total: Int
        public var style: OIPSearch.Settings.Style
        public var steps: Int
        public var noiseScales: [Int]
        public var seed: UInt64
    }

    public var image: Image
    public var manifest: Manifest
    public var patterns: [OIPSearch.Pattern]
    /// Where each map's cell sits on `image`.
    public var layout: ContactSheet.Layout

    /// The dead-map threshold for a layer: a ten-thousandth of its busiest map's test max
    /// (and never below 1e-7), so a map that peaks at float dust does not count as firing.
    public static func deadThreshold(testMax: [Float]) -> Float {
        MapActivity.deadThreshold(maxima: testMax)
    }

    /// Searches the patterns (all maps as one batch), measures them and draws the sheet.
    /// A live map whose pattern stays at or below its best test digit is searched again,
    /// up to `retries` times, each from a new seed with twice the steps (the last one in
    /// the raw style from its best test digit); it keeps its best pattern (the bar never
    /// moves) and the manifest counts its searches.
    public static func make(
        model: Sequential, layer: String, maps: [Int]?, reference data: MNISTDataset,
        settings: OIPSearch.Settings, sheet: ContactSheet, retries: Int = 3,
        progress: (String) -> Void = { _ in }
    ) throws(DreamError) -> LayerSheet {
        try DigitInput.checkFits(model.inputShape, data: data.shape)
        let search = try OIPSearch(model: model, layerName: layer)
        let maps = maps ?? Array(0..<search.mapCount)
        try search.checkMaps(maps)
        progress("responses of \(search.layerName) over \(data.count) test images")
        let reference = try search.reference(on: data)
        let deadBelow = search.usesLogits ? -Float.infinity : deadThreshold(testMax: reference.max)
        // Maps still at or below their test mean at a third and two thirds of the run restart.
        var patterns = try search.search(
            maps: maps, settings: settings, thresholds: maps.map { reference.mean[$0] }
        ) { step, steps in
            if step % 10 == 0 || step == steps { progress("ascent step \(step)/\(steps) for \(maps.count) maps") }
        }
        var searches = [Int](repeating: 1, count: maps.count)
        let failing = { (n: Int) in
            reference.max[maps[n]] > deadBelow && patterns[n].activation <= reference.max[maps[n]]
        }
        for retry in 0..<max(retries, 0) {
            let again = maps.indices.filter(failing)
            if again.isEmpty { break }
            var harder = settings
            harder.seed = settings.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(retry + 1)
            harder.steps = min(settings.steps * 2, SettingsRanges.oipSteps.upper)
            // The last retry climbs in pixel space (no warps, no pyramid) from the map's best
            // test digit: it starts at the bar, so any step up beats every digit. Maps that
            // want fine texture (a few conv1 filters) reach their peak only this way.
            let last = retry == retries - 1
            if last { harder.style = .raw }
            let starts = last ? again.map { data.image(reference.best[maps[$0]]) } : nil
            let retried = try search.search(
                maps: again.map { maps[$0] }, settings: harder, thresholds: again.map { reference.max[maps[$0]] },
                starts: starts
            ) { step, steps in
                if step % 10 == 0 || step == steps {
                    progress(
                        "retry \(retry + 1): ascent step \(step)/\(steps) for \(again.count) maps below their best digit"
                    )
                }
            }
            for (k, n) in again.enumerated() {
                searches[n] += 1
                if retried[k].activation > patterns[n].activation {
                    patterns[n] = retried[k]
                }
            }
        }
        let entries = patterns.enumerated().map { n, p in
            Entry(
                map: p.map, activation: p.activation, testMean: reference.mean[p.map], testMax: reference.max[p.map],
                deadBelow: deadBelow, restarts: p.restarts, searches: searches[n])
        }
        let count = { (verdict: Verdict) in entries.filter { $0.verdict == verdict }.count }
        let isClassLayer = search.usesLogits
        let manifest = Manifest(
            layer: search.layerName,
            measure: isClassLayer ? "logit" : "mean ReLU response",
            criterion: "activation above the map's largest response over \(data.count) test images",
            deadBelow: deadBelow, maps: entries, succeeded: count(.succeeded), failed: count(.failed),
            dead: count(.dead), total: entries.count, style: settings.style, steps: settings.steps,
            noiseScales: settings.noiseScales, seed: settings.seed)
        var title =
            "\(search.layerName) \(isClassLayer ? "class patterns" : "OIPs"): \(manifest.succeeded)/\(manifest.total) beat the best test digit"
        if manifest.dead > 0 { title += ", \(manifest.dead) dead" }
        if manifest.failed + manifest.dead > 0 { title += " (red: failed, cross: dead)" }
        let cells = zip(patterns, entries).map { pattern, entry in
            ContactSheet.Cell(
                label: String(pattern.map), score: entry.ratio.map { Self.ratioText($0) } ?? "DEAD",
                image: sheet.patternCell(pattern.image),
                mark: entry.verdict == .succeeded ? .none : entry.verdict == .dead ? .dead : .failed)
        }
        return LayerSheet(
            image: sheet.render(title: title, cells: cells), manifest: manifest, patterns: patterns,
            layout: sheet.layout(for: cells, title: title))
    }

    /// "2.4×", "0.31×", "12×": two significant digits.
    static func ratioText(_ ratio: Float) -> String {
        if ratio >= 10 { return String(format: "%.0f×", ratio) }
        if ratio >= 1 { return String(format: "%.1f×", ratio) }
        return String(format: "%.2f×", ratio)
    }

    public func manifestJSON() -> [UInt8] { SheetManifest.encode(manifest) }
}

/// Parses "0-31", "3,17,56" or "0-3,9".
public func parseMapList(_ text: String) throws(DreamError) -> [Int] {
    var result: [Int] = []
    for part in text.split(separator: ",") {
        let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !bounds.isEmpty, bounds.allSatisfy({ $0 != nil }) else {
            throw .invalidSetting(
                key: "maps", problem: "expected numbers and ranges like 0-31 or 3,17,56, got '\(text)'")
        }
        if bounds.count == 2 {
            guard bounds[0]! <= bounds[1]! else {
                throw .invalidSetting(key: "maps", problem: "range \(part) runs backwards")
            }
            result += Array(bounds[0]!...bounds[1]!)
        } else {
            result.append(bounds[0]!)
        }
    }
    return result
}
