import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures

struct Sheet: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A contact sheet of the OIPs of all maps of a layer, with a JSON manifest.",
        discussion:
            "All maps are optimised together as one batch. A map succeeds when its pattern beats its best response over the test set of the model's own dataset (MNIST for the bundled model, Fashion-MNIST for --model fashion); maps that never fire on it are dead. Each cell shows the map and the ratio pattern / best test digit; failures have a red frame, dead maps a cross. dense2 cells are class patterns (measured by their logits): what the network thinks a perfect 0..9 looks like."
    )

    @Option(help: "conv1, conv2, conv3, dense1 or dense2.") var layer = "conv3"
    @Option(help: ArgumentHelp("Only these maps.", valueName: "0-31|3,17,56")) var maps: String?
    @Option(help: "Upscaling of each cell (one network input, 28x28 for MNIST).") var scale = 4
    @Option(help: "Cells per row (default: 8, or 16 for layers of more than 64 maps).") var columns: Int?
    @Option(name: .shortAndLong, help: "Output PNG (the manifest goes beside it as .json).") var output: String?
    @OptionGroup var dataOptions: DataOptions
    @Option(
        help:
            "Search a live map below its best test digit again, from new seeds with twice the steps, up to this many times."
    )
    var retries = 3
    @OptionGroup var options: OIPOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        try checkRange("--scale", scale, SettingsRanges.patternScale)
        if let columns, !(1...64).contains(columns) { throw ValidationError("--columns must be in 1...64") }
        try checkRange("--retries", retries, SettingsRanges.sheetRetries)
    }

    func run() throws {
        try threadOptions.apply()
        let path = try modelOptions.path()
        let loaded = try ModelFile.read(contentsOf: path, for: nil)
        let model = loaded.model
        let mapList = try maps.map { try parseMapList($0) }
        let dataset = try dataOptions.dataset(for: loaded, model: path, split: .test, verb: "score patterns")
        let test = try dataset.load(.test, for: model.inputShape)
        print(dataset.describe("scoring patterns", split: .test, count: test.count))
        let line = ProgressLine(interval: 5)
        let started = Date()
        let result = try LayerSheet.make(
            model: model, layer: layer, maps: mapList, reference: test,
            settings: try options.settings(),
            sheet: ContactSheet(columns: columns, scale: scale, colormap: options.colormap), retries: retries
        ) { line.update($0) }
        line.finish()
        let target = output ?? "out/sheet-\(result.manifest.layer).png"
        try Files.createFolder(containing: target)
        try result.image.write(to: target)
        try Files.write(result.manifestJSON(), to: (target as NSString).deletingPathExtension + ".json")
        let m = result.manifest
        print(
            String(
                format: "%@ (%@): %d/%d maps beat the best test digit, %d failed, %d dead (%.1f s) -> %@", m.layer,
                m.style.rawValue, m.succeeded, m.total, m.failed, m.dead, Date().timeIntervalSince(started), target))
        for verdict in [LayerSheet.Verdict.failed, .dead] {
            let list = m.maps.filter { $0.verdict == verdict }.map { String($0.map) }
            if !list.isEmpty { print("\(verdict.rawValue): maps \(list.joined(separator: ", "))") }
        }
    }
}
