import ArgumentParser
import DreamEngine
import Foundation
import ImageIO
import NeuralNet

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The ten class probabilities for a digit picture or an MNIST image.",
        discussion: "A photo becomes its 28x28 luminance; dark ink on light paper is inverted automatically.")

    @Argument(help: "A PNG or JPEG picture of a digit.") var file: String?
    @Option(help: ArgumentHelp("An image of the bundled MNIST data instead of a file.", valueName: "test:N|train:N"))
    var mnist: String?
    @Flag(inversion: .prefixedNo, help: "Force (or forbid) inverting the picture; detected when not given.") var invert: Bool?
    @Option(help: "MNIST folder for --mnist.") var data: String?
    @Flag(help: "Print JSON for scripts.") var json = false
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard (file == nil) != (mnist == nil) else { throw ValidationError("give a picture or --mnist test:N, not both or neither") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let pixels: [Float]
        var label: Int? = nil
        var inverted = false
        if let mnist {
            (pixels, label) = try DigitInput.Reference(mnist).load(from: data ?? DigitInput.defaultDataDirectory())
        } else {
            (pixels, inverted) = DigitInput.prepare(try Image(contentsOf: file!), invert: invert)
        }
        let probabilities = try model.predict(pixels, batch: 1)
        let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        if json {
            var object: [String: Any] = ["probabilities": probabilities.map(Double.init), "top": top,
                                         "input": mnist ?? file!, "inverted": inverted]
            if let label { object["label"] = label }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("input: \(mnist ?? file!)" + (label.map { " (label \($0))" } ?? "") + (inverted ? " (inverted)" : ""))
        for (digit, p) in probabilities.enumerated() {
            let bar = String(repeating: "#", count: Int((p * 40).rounded()))
            print(String(format: "  %d  %.6f  %@", digit, p, bar))
        }
        print(String(format: "top class: %d (%.2f%%)", top, 100 * probabilities[top]))
    }
}
