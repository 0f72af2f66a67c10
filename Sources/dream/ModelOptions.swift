import ArgumentParser
import Dreaming
import NeuralNet

struct ModelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Model file (safetensors) or a bundled model's name (mnist, fashion) instead of the bundled MNIST model.",
            valueName: "path|name"))
    var model: String?

    /// The file `--model` names (see `BundledAssets.modelPath(named:)`).
    func path() throws -> String { try BundledAssets.modelPath(named: model) }

    /// The checked model; with `requirement`, one whose shapes suit that command.
    func load(for requirement: ModelRequirement? = nil) throws -> Sequential {
        try loadWithRecord(for: requirement).model
    }

    func loadWithRecord(for requirement: ModelRequirement? = nil) throws -> ModelFile.Loaded {
        try ModelFile.read(contentsOf: path(), for: requirement)
    }
}

/// The data a command measures the model on: its own dataset unless `--data` says otherwise.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "IDX dataset folder instead of the model's own dataset; it must hold the files the model was trained on (SHA-256).",
            valueName: "folder"))
    var data: String?
    @Flag(help: "Use --data even when it is not the dataset the model was trained on.") var allowDataMismatch = false

    /// The model's dataset for `split`; says on stderr when an old model is taken as MNIST.
    func dataset(for loaded: ModelFile.Loaded, model: String, split: MNISTDataset.Split, verb: String) throws
        -> ModelDataset
    {
        let dataset = try ModelDataset.resolve(
            record: loaded.dataset, model: model, data: data, split: split, allowMismatch: allowDataMismatch,
            verb: verb)
        if dataset.assumed { printNote(ModelDataset.assumedNote(model: model)) }
        return dataset
    }
}
