import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures

struct Activations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The grid of a layer's activation maps for one input, with the input beside it.")

    @OptionGroup var source: DigitSource
    @Option(help: "conv1, pool1, conv2, pool2, conv3, dense1 or dense2.") var layer = "conv3"
    @Flag(help: "The seed's per-map scaling: standardise each map, then clip.") var standardize = false
    @Option(help: "Colormap of the pictures.") var colormap = Colormap.jet
    @Option(name: .shortAndLong, help: "Output PNG.") var output: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let path = try modelOptions.path()
        let loaded = try ModelFile.read(contentsOf: path, for: nil)
        let model = loaded.model
        let pixels = try source.load(model: loaded, at: path).pixels
        let name =
            source.mnist?.replacingOccurrences(of: ":", with: "")
            ?? URL(fileURLWithPath: source.file!).deletingPathExtension().lastPathComponent
        let grid = try ActivationGrid.render(
            model: model, input: pixels, layer: layer, standardize: standardize, colormap: colormap,
            inputName: source.mnist ?? URL(fileURLWithPath: source.file!).lastPathComponent)
        let target = output ?? "out/activations-\(name)-\(layer).png"
        try Files.createFolder(containing: target)
        try grid.write(to: target, protecting: source.file.map { [$0] } ?? [])
        print("\(source.name) \(layer) -> \(target) (\(grid.width)x\(grid.height))")
    }
}
