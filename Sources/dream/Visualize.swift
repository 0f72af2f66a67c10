import ArgumentParser
import DreamEngine
import Foundation
import ImageIO
import NeuralNet

extension Colormap: ExpressibleByArgument {}

/// Options shared by the OIP commands.
struct OIPOptions: ParsableArguments {
    @Option(help: "Ascent steps.") var steps = 150
    @Option(help: "Mean pixel change per step.") var stepSize: Float = 0.02
    @Option(help: ArgumentHelp("Length scales of the starting noise, pixels.", valueName: "1,4,7")) var noiseScales =
        "1,2"
    @Option(help: "Restarts from new noise for maps that stay silent.") var restarts = 3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Colormap of the pictures.") var colormap = Colormap.viridis

    func settings() throws -> OIPSearch.Settings {
        var s = OIPSearch.Settings()
        let scales = noiseScales.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !scales.isEmpty, scales.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 28 }) else {
            throw ValidationError("--noise-scales takes lengths 1...28 separated by commas, like 1,4,7")
        }
        guard steps >= 1, stepSize > 0, stepSize <= 1 else {
            throw ValidationError("--steps must be >= 1 and --step-size in (0, 1]")
        }
        s.noiseScales = scales.map { $0! }
        s.steps = steps
        s.stepSize = stepSize
        s.restarts = restarts
        s.seed = seed
        return s
    }
}

func ensureFolder(of path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
}

struct OIP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oip",
        abstract: "Find input patterns that drive one map hardest (gradient ascent from noise).",
        discussion:
            "Writes out/oip-LAYER-mMAP-K.png (and .npy with --npy) and reports each pattern's activation against the map's responses over the MNIST test set."
    )

    @Option(help: "conv1, conv2, conv3, dense1 or dense2.") var layer = "conv3"
    @Option(help: "The map (unit, for dense layers).") var map: Int
    @Option(help: "How many patterns, each from its own noise.") var count = 4
    @Flag(help: "Also write the raw 28x28 float32 array as .npy.") var npy = false
    @Option(help: "Upscaling of the written 28x28 PNGs.") var scale = 8
    @Option(name: .shortAndLong, help: "Output folder.") var output = "out"
    @Option(help: "MNIST folder for the reference responses.") var data: String?
    @OptionGroup var options: OIPOptions
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard (1...64).contains(count) else { throw ValidationError("--count must be in 1...64") }
        guard (1...32).contains(scale) else { throw ValidationError("--scale must be in 1...32") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let search = try OIPSearch(model: model, layerName: layer)
        try search.checkMaps([map])
        let test = try MNISTDataset(directory: data ?? DigitInput.defaultDataDirectory(), split: .test)
        let reference = search.reference(on: test)
        var settings = try options.settings()
        settings.seed = options.seed
        let patterns = try search.search(maps: Array(repeating: map, count: count), settings: settings)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        print(
            String(
                format: "%@ map %d over %d test images: mean %.4g, max %.4g", search.layerName, map, test.count,
                reference.mean[map], reference.max[map]))
        for (k, pattern) in patterns.enumerated() {
            let stem = (output as NSString).appendingPathComponent("oip-\(search.layerName)-m\(map)-\(k)")
            try options.colormap.apply(to: pattern.image).enlarged(by: scale).write(to: stem + ".png")
            if npy { try NPYWriter.write(pattern.image.pixels, shape: [28, 28], to: stem + ".npy") }
            let ratio = reference.max[map] > 0 ? pattern.activation / reference.max[map] : 0
            let verdict =
                pattern.activation > reference.max[map]
                ? "beats every test digit"
                : pattern.activation > reference.mean[map] ? "above the test mean" : "below the test mean"
            print(
                String(
                    format: "%@.png: activation %.4g, %.2fx the test max (%@)%@", stem, pattern.activation, ratio,
                    verdict,
                    pattern.restarts > 0 ? ", \(pattern.restarts) restarts" : ""))
        }
    }
}

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
        try ensureFolder(of: target)
        try result.image.write(to: target)
        try AtomicFile.write(result.manifestJSON(), to: (target as NSString).deletingPathExtension + ".json")
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

struct Activations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The grid of a layer's activation maps for one input, with the input beside it.")

    @OptionGroup var source: DigitSource
    @Option(help: "conv1, pool1, conv2, pool2, conv3, dense1 or dense2.") var layer = "conv3"
    @Flag(help: "The seed's per-map scaling: standardise each map, then clip.") var standardize = false
    @Option(help: "Colormap of the pictures.") var colormap = Colormap.jet
    @Option(name: .shortAndLong, help: "Output PNG.") var output: String?
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let model = try modelOptions.load()
        let pixels = try source.load().pixels
        let name =
            source.mnist?.replacingOccurrences(of: ":", with: "")
            ?? URL(fileURLWithPath: source.file!).deletingPathExtension().lastPathComponent
        let grid = try ActivationGrid.render(
            model: model, input: pixels, layer: layer, standardize: standardize, colormap: colormap)
        let target = output ?? "out/activations-\(name)-\(layer).png"
        try ensureFolder(of: target)
        try grid.write(to: target, protecting: source.file.map { [$0] } ?? [])
        print("\(source.name) \(layer) -> \(target) (\(grid.width)x\(grid.height))")
    }
}
