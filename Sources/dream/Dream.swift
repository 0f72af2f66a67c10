import ArgumentParser
import Dreaming
import Foundation
import NeuralNet

@main
struct Dream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dream",
        abstract: "Multi-scale DeepDreams with a small CNN trained on MNIST.",
        discussion: """
            Rendering is the default: 'dream --preset ghost --map 56 photo.jpg' and \
            'dream render --preset ghost --map 56 photo.jpg' are the same. The bundled model \
            (99.3% on MNIST) is used unless --model names another.
            """,
        version: Dream.versionText,
        subcommands: [
            Render.self, Zoom.self, View.self, Explore.self, Presets.self, Layers.self, OIP.self, Sheet.self,
            Activations.self, Batch.self,
            Predict.self, Evaluate.self, Train.self, Import.self,
            Bench.self, Info.self,
        ],
        defaultSubcommand: Render.self)

    static let version = "0.2.0"

    /// `dream --version`: the program and the model it would use, with its accuracy, so a
    /// bug report says both.
    static var versionText: String {
        guard let path = try? BundledAssets.modelPath() else {
            return
                "dream \(version)\nmodel: none found (looked in \(BundledAssets.candidates("models").joined(separator: ", ")))"
        }
        guard let loaded = try? ModelFile.read(contentsOf: path) else {
            return "dream \(version)\nmodel: \(path) (unreadable: run 'dream evaluate' for the reason)"
        }
        var model = "model: \(path), \(loaded.model.parameterCount) parameters"
        if let record = loaded.training {
            model += ", trained \(record.epochs) epochs on \(record.dataset)"
            if let accuracy = record.testAccuracy { model += String(format: ", test accuracy %.2f%%", 100 * accuracy) }
            if let dead = record.deadMaps?.reduce(0, { $0 + $1.dead.count }) {
                model += ", \(dead) dead map\(dead == 1 ? "" : "s")"
            }
        }
        return "dream \(version)\n\(model)\narchitecture: \(loaded.model.architecture)"
    }
}
