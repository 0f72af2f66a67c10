import ArgumentParser
import Dreaming
import Foundation
import Imaging
import NeuralNet

/// A network-sized input (28x28 for MNIST) from a picture file or from the model's dataset (`--mnist test:N`).
struct DigitSource: ParsableArguments {
    @Argument(help: "A PNG or JPEG picture (becomes its luminance at the network's input size).") var file: String?
    @Option(
        name: [.customLong("mnist"), .customLong("sample")],
        help: ArgumentHelp(
            "An image of the model's dataset (MNIST for the bundled model) instead of a file.",
            valueName: "test:N|train:N"))
    var mnist: String?
    @Flag(
        inversion: .prefixedNo,
        help: "Force (or forbid) inverting a picture; dark ink on light paper is detected when not given.")
    var invert: Bool?
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        guard (file == nil) != (mnist == nil) else {
            throw ValidationError("give a picture or --mnist test:N, not both or neither")
        }
    }

    /// How the input is named in messages and output names.
    var name: String { mnist ?? file! }

    /// The input at the size the network takes; a dataset image comes from the dataset of
    /// `loaded` (at `model`), shaped as training fed it to that model.
    func load(model loaded: ModelFile.Loaded, at model: String) throws -> (
        pixels: [Float], label: Int?, inverted: Bool
    ) {
        let input = loaded.model.inputShape
        if let mnist {
            let reference = try DigitInput.Reference(mnist)
            let dataset = try dataOptions.dataset(for: loaded, model: model, split: reference.split, verb: "predicting")
            let (pixels, label) = try reference.load(from: dataset, for: input)
            return (pixels, label, false)
        }
        let (pixels, inverted) = DigitInput.prepare(try Image(contentsOf: file!), for: input, invert: invert)
        return (pixels, nil, inverted)
    }
}
