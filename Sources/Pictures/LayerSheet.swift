import Dreaming
import Foundation
import Imaging
import NeuralNet

/// The OIPs of every (or some) maps of one layer on one contact sheet, with a manifest
/// that says how each pattern compares with the MNIST test set.
public struct LayerSheet {
    public struct Entry: Codable, Sendable {
        public var map: Int
        public var activation: Float
        public var testMean: Float
        public var testMax: Float
        /// activation / testMax: above 1 the pattern beats every test digit.
        public var ratio: Float
        /// Above the map's mean response over the test set: our bar for a found pattern.
        public var succeeded: Bool
        public var restarts: Int
    }

    public struct Manifest: Codable, Sendable {
        public var layer: String
        public var maps: [Entry]
        public var succeeded: Int
        public var total: Int
        public var steps: Int
        public var noiseScales: [Int]
        public var seed: UInt64
    }

    public var image: Image
    public var manifest: Manifest
    public var patterns: [OIPSearch.Pattern]

    /// Searches the patterns (all maps as one batch), measures them and draws the sheet.
    public static func make(
        model: Sequential, layer: String, maps: [Int]?, reference data: MNISTDataset,
        settings: OIPSearch.Settings, sheet: ContactSheet,
        progress: (String) -> Void = { _ in }
    ) throws(DreamError) -> LayerSheet {
        let search = try OIPSearch(model: model, layerName: layer)
        let maps = maps ?? Array(0..<search.mapCount)
        try search.checkMaps(maps)
        progress("responses of \(search.layerName) over \(data.count) test images")
        let reference = search.reference(on: data)
        let patterns = try search.search(maps: maps, settings: settings, thresholds: maps.map { reference.mean[$0] }) {
            step, steps in
            if step % 10 == 0 || step == steps { progress("ascent step \(step)/\(steps) for \(maps.count) maps") }
        }
        let entries = patterns.map { p in
            Entry(
                map: p.map, activation: p.activation, testMean: reference.mean[p.map], testMax: reference.max[p.map],
                ratio: reference.max[p.map] > 0
                    ? p.activation / reference.max[p.map] : (p.activation > 0 ? .infinity : 0),
                succeeded: p.activation > reference.mean[p.map], restarts: p.restarts)
        }
        let succeeded = entries.filter(\.succeeded).count
        let isClassLayer = search.layer == model.layers.count - 1
        let title =
            "\(search.layerName) \(isClassLayer ? "class patterns" : "OIPs"): \(succeeded)/\(entries.count) above test mean"
        let cells = patterns.map { (label: String($0.map), image: $0.image) }
        let manifest = Manifest(
            layer: search.layerName, maps: entries, succeeded: succeeded, total: entries.count,
            steps: settings.steps, noiseScales: settings.noiseScales, seed: settings.seed)
        return LayerSheet(image: sheet.render(title: title, cells: cells), manifest: manifest, patterns: patterns)
    }

    /// The manifest as JSON (infinite ratios, of maps silent over the whole test set,
    /// are written "inf").
    public func manifestJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return [UInt8](try encoder.encode(manifest))
    }
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
