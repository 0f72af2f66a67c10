import ArgumentParser
import Dreaming
import Foundation
import Imaging
import NeuralNet

/// A network-sized input (28x28 for MNIST) from a picture file or from the bundled MNIST data (`--mnist test:N`).
struct DigitSource: ParsableArguments {
    @Argument(help: "A PNG or JPEG picture (becomes its luminance at the network's input size).") var file: String?
    @Option(help: ArgumentHelp("An image of the bundled MNIST data instead of a file.", valueName: "test:N|train:N"))
    var mnist: String?
    @Flag(
        inversion: .prefixedNo,
        help: "Force (or forbid) inverting a picture; dark ink on light paper is detected when not given.")
    var invert: Bool?
    @Option(help: "MNIST folder for --mnist.") var data: String?

    func validate() throws {
        guard (file == nil) != (mnist == nil) else {
            throw ValidationError("give a picture or --mnist test:N, not both or neither")
        }
    }

    /// How the input is named in messages and output names.
    var name: String { mnist ?? file! }

    /// The input at the size the network takes (MNIST images are already that size).
    func load(for input: FeatureShape) throws -> (pixels: [Float], label: Int?, inverted: Bool) {
        if let mnist {
            let (pixels, label) = try DigitInput.Reference(mnist).load(from: data ?? DigitInput.defaultDataDirectory())
            // MNIST's (or the --data folder's) images are 28x28x1 unless it says otherwise.
            if pixels.count != input.count { try DigitInput.checkFits(input) }
            return (pixels, label, false)
        }
        let (pixels, inverted) = DigitInput.prepare(try Image(contentsOf: file!), for: input, invert: invert)
        return (pixels, nil, inverted)
    }
}
