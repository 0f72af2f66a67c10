import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import Pictures

struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dream a photo once per map of a layer, on one labelled contact sheet, to pick a map.",
        discussion: """
            Every map's dream follows the preset's downscale recipe (default 'ghost') with fixed \
            steps (no strength target, so strong and weak maps show as they are) on the photo \
            shrunk to cell size; all maps run as one batch. Each cell shows the map and \
            the objective it reached (its mean pre-activation). A JSON manifest beside the \
            sheet lists every map's objective and how much it changed the photo, and ranks \
            the maps by objective. Then: dream --preset ghost --map N photo.jpg

            Examples:
              dream explore photo.jpg --layer conv3
              dream explore photo.jpg --layer conv2 --preset ghost-color -o conv2.png
            """)

    @Argument(help: "A PNG or JPEG photo.") var file: String
    @Option(help: "conv1, conv2, conv3, dense1 or dense2.") var layer = "conv3"
    @Option(help: ArgumentHelp("Only these maps.", valueName: "0-31|3,17,56")) var maps: String?
    @Option(help: "A downscale-mode preset (name or .json path).") var preset = "ghost"
    @Option(help: "Gradient steps per loop (overrides the preset).") var steps: Int?
    @Option(help: "Mean pixel change per step (default: the preset's, or 0.004 for a strength-driven one).")
    var stepSize: Float?
    @Option(help: "Ascend/upscale/re-add-detail rounds (overrides the preset).") var loops: Int?
    @Option(help: "Random seed (overrides the preset).") var seed: UInt64?
    @Option(help: "Long side of each cell, pixels.") var cell = 128
    @Option(help: "Cells per row (default: 8, or 16 for more than 64 maps).") var columns: Int?
    @Option(name: .shortAndLong, help: "Output PNG (default out/NAME-explore-LAYER.png; the manifest goes beside it).")
    var output: String?
    @OptionGroup var modelOptions: ModelOptions
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard (28...512).contains(cell) else { throw ValidationError("--cell must be in 28...512") }
        if let columns, !(1...64).contains(columns) { throw ValidationError("--columns must be in 1...64") }
    }

    func run() throws {
        let started = Date()
        var settings = try PresetLibrary().load(preset).settings
        if let steps { settings.steps = steps }
        if let stepSize {
            // As in render: an explicit step size turns the strength off.
            settings.stepSize = stepSize
            settings.strength = nil
        }
        if let loops { settings.loops = loops }
        if let seed { settings.seed = seed }
        let model = try modelOptions.load()
        let photo = try Image(contentsOf: file)
        let name = URL(fileURLWithPath: file).lastPathComponent
        let presetName = URL(fileURLWithPath: preset).deletingPathExtension().lastPathComponent
        let line = ProgressLine(interval: 5)
        let dreamStarted = Date()
        let sheet = try ExploreSheet.make(
            photo: photo, model: model, settings: settings, layer: layer, maps: try maps.map { try parseMapList($0) },
            cellSize: cell, columns: columns,
            title: "\(layer) on \(name), \(presetName): map and objective reached (mean pre-activation)"
        ) { if !quiet { line.update($0) } }
        let dreamSeconds = Date().timeIntervalSince(dreamStarted)
        line.finish()
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let target = output ?? "out/\(stem)-explore-\(sheet.manifest.layer).png"
        try Files.createFolder(containing: target)
        try sheet.image.write(to: target, protecting: [file])
        try Files.write(sheet.manifestJSON(), to: (target as NSString).deletingPathExtension + ".json")
        if !quiet {
            print(
                String(
                    format: "%@: %d maps of %@ at %dx%d in %.2f s (%.2f s in all) -> %@", name, sheet.cells.count,
                    sheet.manifest.layer, sheet.manifest.cellWidth, sheet.manifest.cellHeight, dreamSeconds,
                    Date().timeIntervalSince(started), target))
            print(
                "highest objective: maps " + sheet.manifest.ranking.prefix(8).map(String.init).joined(separator: ", "))
        }
    }
}
