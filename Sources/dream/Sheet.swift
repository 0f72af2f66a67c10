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
            "All maps are optimised together as one batch. dense2 cells are class patterns: what the network thinks a perfect 0..9 looks like."
    )

    @Option(help: "conv1, conv2, conv3, dense1 or dense2.") var layer = "conv3"
    @Option(help: ArgumentHelp("Only these maps.", valueName: "0-31|3,17,56")) var maps: String?
    @Option(help: "Upscaling of each 28x28 cell.") var scale = 4
    @Option(name: .shortAndLong, help: "Output PNG (the manifest goes beside it as .json).") var output: String?
    @Option(help: "MNIST folder for the reference responses.") var data: String?
    @OptionGroup var options: OIPOptions
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let model = try modelOptions.load()
        let mapList = try maps.map { try parseMapList($0) }
        let test = try MNISTDataset(directory: data ?? DigitInput.defaultDataDirectory(), split: .test)
        let line = ProgressLine(interval: 5)
        let started = Date()
        let result = try LayerSheet.make(
            model: model, layer: layer, maps: mapList, reference: test,
            settings: try options.settings(),
            sheet: ContactSheet(scale: scale, colormap: options.colormap)
        ) { line.update($0) }
        line.finish()
        let target = output ?? "out/sheet-\(result.manifest.layer).png"
        try Files.createFolder(containing: target)
        try result.image.write(to: target)
        try Files.write(try result.manifestJSON(), to: (target as NSString).deletingPathExtension + ".json")
        let failed = result.manifest.maps.filter { !$0.succeeded }.map { String($0.map) }
        let beat = result.manifest.maps.filter { $0.ratio > 1 }.count
        print(
            String(
                format: "%@: %d/%d maps above their test mean, %d beat every test digit (%.1f s) -> %@",
                result.manifest.layer, result.manifest.succeeded, result.manifest.total, beat,
                Date().timeIntervalSince(started), target))
        if !failed.isEmpty { print("below the test mean: maps \(failed.joined(separator: ", "))") }
    }
}
