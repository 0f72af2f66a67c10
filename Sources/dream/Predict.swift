import ArgumentParser
import Dreaming
import Foundation
import Imaging
import NeuralNet

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The ten class probabilities for a digit picture or an MNIST image.",
        discussion: "A photo becomes its 28x28 luminance; dark ink on light paper is inverted automatically.")

    @OptionGroup var source: DigitSource
    @Flag(help: "Print JSON for scripts.") var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let model = try modelOptions.load(for: .mnistClassifier("predict"))
        let (pixels, label, inverted) = try source.load(for: model.inputShape)
        let probabilities = try model.predict(pixels, batch: 1)
        let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        if json {
            var object: [String: Any] = [
                "probabilities": probabilities.map(Double.init), "top": top,
                "input": source.name, "inverted": inverted,
            ]
            if let label { object["label"] = label }
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            )
            return
        }
        print("input: \(source.name)" + (label.map { " (label \($0))" } ?? "") + (inverted ? " (inverted)" : ""))
        for (digit, p) in probabilities.enumerated() {
            let bar = String(repeating: "#", count: Int((p * 40).rounded()))
            print(String(format: "  %d  %.6f  %@", digit, p, bar))
        }
        print(String(format: "top class: %d (%.2f%%)", top, 100 * probabilities[top]))
    }
}
