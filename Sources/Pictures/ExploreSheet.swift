import Dreaming
import Foundation
import Imaging
import NeuralNet
import Resampling

/// The map explorer's contact sheet: the photo dreamed once per map of a layer, each cell
/// labelled with its map and the objective it reached, plus a manifest with every score.
public struct ExploreSheet {
    public struct Entry: Codable, Sendable {
        public var map: Int
        /// The map's mean pre-activation (a unit's value for dense layers) at the last step.
        public var objective: Float
        /// RMS luminance change over the photo's contrast.
        public var change: Float
    }

    public struct Manifest: Codable, Sendable {
        public var layer: String
        public var cellWidth: Int
        public var cellHeight: Int
        public var settings: DreamSettings
        /// Maps by the objective they reached on this photo, highest first: the maps that
        /// find the most of their pattern in it.
        public var ranking: [Int]
        public var maps: [Entry]
    }

    public var image: Image
    public var manifest: Manifest
    public var cells: [MapExplorer.Cell]
    public var layout: ContactSheet.Layout

    /// The photo at the size a cell shows it: its long side `cellSize` pixels (never enlarged).
    public static func cellPhoto(_ photo: Image, cellSize: Int) -> Image {
        let long = max(photo.width, photo.height)
        guard long > cellSize else { return photo }
        let scale = Double(cellSize) / Double(long)
        return photo.resized(
            width: max(1, Int((Double(photo.width) * scale).rounded())),
            height: max(1, Int((Double(photo.height) * scale).rounded())))
    }

    /// Dreams `photo`, shrunk to cell size, once per map (one batch) and draws the sheet.
    public static func make(
        photo: Image, model: Sequential, settings: DreamSettings, layer: String, maps: [Int]? = nil,
        cellSize: Int = 128, columns: Int? = nil, title: String, progress: ((String) -> Void)? = nil
    ) throws(DreamError) -> ExploreSheet {
        let small = cellPhoto(photo, cellSize: cellSize)
        let explorer = MapExplorer(model: model)
        explorer.progress = progress
        let cells = try explorer.explore(small, settings: settings, layer: layer, maps: maps)
        // Cannot throw: the layer name was resolved when this was set up.
        let layerName = model.layers[try! model.layerIndex(named: layer)].name
        let entries = cells.map { Entry(map: $0.map, objective: $0.objective, change: $0.change) }
        let manifest = Manifest(
            layer: layerName, cellWidth: small.width, cellHeight: small.height,
            settings: MapExplorer.settings(settings, layer: layerName, map: cells[0].map),
            ranking: entries.sorted { $0.objective > $1.objective }.map(\.map), maps: entries)
        let sheet = ContactSheet(columns: columns)
        let sheetCells = cells.map { cell in
            ContactSheet.Cell(label: String(cell.map), score: scoreText(cell.objective), image: cell.image)
        }
        return ExploreSheet(
            image: sheet.render(title: title, cells: sheetCells), manifest: manifest, cells: cells,
            layout: sheet.layout(for: sheetCells, title: title))
    }

    /// Three significant digits, short: "12.3", "0.456", "-1.20", "123".
    static func scoreText(_ value: Float) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        if magnitude >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }

    public func manifestJSON() -> [UInt8] { SheetManifest.encode(manifest) }
}
