import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures

struct OIP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oip",
        abstract: "Find input patterns that drive one map hardest (gradient ascent from noise).",
        discussion:
            "Writes out/oip-LAYER-mMAP-K.png (and .npy with --npy) and reports each pattern's activation against the map's responses over the test set of the model's own dataset (MNIST for the bundled model)."
    )

    @Option(help: "conv1, conv2, conv3, dense1 or dense2.") var layer = "conv3"
    @Option(help: "The map (unit, for dense layers).") var map: Int
    @Option(help: "How many patterns, each from its own noise.") var count = 4
    @Flag(help: "Also write the raw network-sized float32 array as .npy (channels first for colour).") var npy = false
    @Option(help: "Upscaling of the written network-sized PNGs.") var scale = 8
    @Option(name: .shortAndLong, help: "Output folder.") var output = "out"
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var options: OIPOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        try checkRange("--count", count, SettingsRanges.oipCount)
        try checkRange("--scale", scale, SettingsRanges.patternScale)
    }

    func run() throws {
        try threadOptions.apply()
        let path = try modelOptions.path()
        let loaded = try ModelFile.read(contentsOf: path, for: nil)
        let model = loaded.model
        let search = try OIPSearch(model: model, layerName: layer)
        try search.checkMaps([map])
        // The dataset comparison only means something for a model of the data's input
        // shape; other models get their patterns without it.
        var test: MNISTDataset?
        var reference: OIPSearch.Reference?
        let dataset = try dataOptions.dataset(for: loaded, model: path, split: .test, verb: "score patterns")
        do {
            let data = try dataset.load(.test, for: model.inputShape)
            print(dataset.describe("scoring patterns", split: .test, count: data.count))
            (test, reference) = (data, try search.reference(on: data))
        } catch DreamError.dataDoesNotFit {}
        var settings = try options.settings()
        settings.seed = options.seed
        let patterns = try search.search(maps: Array(repeating: map, count: count), settings: settings)
        try Files.createFolder(output)
        if let test, let reference {
            print(
                String(
                    format: "%@ map %d over %d test images: mean %.4g, max %.4g", search.layerName, map, test.count,
                    reference.mean[map], reference.max[map]))
        } else {
            print("\(search.layerName) map \(map): no dataset comparison for a model of \(model.inputShape) inputs")
        }
        for (k, pattern) in patterns.enumerated() {
            let stem = (output as NSString).appendingPathComponent("oip-\(search.layerName)-m\(map)-\(k)")
            try options.colormap.picture(of: pattern.image).enlarged(by: scale).write(to: stem + ".png")
            if npy {
                try NPYWriter.write(
                    pattern.image.pixels,
                    shape: (pattern.image.channels > 1 ? [pattern.image.channels] : [])
                        + [pattern.image.height, pattern.image.width], to: stem + ".npy")
            }
            guard let reference else {
                print(String(format: "%@.png: activation %.4g", stem, pattern.activation))
                continue
            }
            let dead = !search.usesLogits && reference.max[map] <= LayerSheet.deadThreshold(testMax: reference.max)
            let verdict =
                dead
                ? "dead: the map never fires on the test set"
                : String(
                    format: "%.2fx the test max, %@", pattern.activation / reference.max[map],
                    pattern.activation > reference.max[map] ? "beats every test digit" : "below the best test digit")
            print(
                String(
                    format: "%@.png: activation %.4g (%@)%@", stem, pattern.activation, verdict,
                    pattern.restarts > 0 ? ", \(pattern.restarts) restarts" : ""))
        }
    }
}
