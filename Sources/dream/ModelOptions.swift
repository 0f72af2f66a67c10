import ArgumentParser
import Dreaming
import NeuralNet

struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model file (safetensors) to use instead of the bundled one.", valueName: "path"))
    var model: String?

    /// The checked model; with `requirement`, one whose shapes suit that command.
    func load(for requirement: ModelRequirement? = nil) throws -> Sequential {
        try ModelFile.read(contentsOf: model ?? BundledAssets.modelPath(), for: requirement).model
    }

    func loadWithRecord() throws -> ModelFile.Loaded {
        try ModelFile.read(contentsOf: model ?? BundledAssets.modelPath())
    }
}
