import ArgumentParser
import Dreaming
import NeuralNet

struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model file (safetensors) to use instead of the bundled one.", valueName: "path"))
    var model: String?

    func load() throws -> Sequential {
        try ModelFile.read(contentsOf: model ?? BundledAssets.modelPath()).model
    }

    func loadWithRecord() throws -> ModelFile.Loaded {
        try ModelFile.read(contentsOf: model ?? BundledAssets.modelPath())
    }
}
