import ArgumentParser
import Dreaming
import Foundation
import Imaging
import NeuralNet

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The class probabilities for a picture or an image of the model's dataset, with class names.",
        discussion: "A photo becomes its 28x28 luminance; dark ink on light paper is inverted automatically.")

    @OptionGroup var source: DigitSource
    @Flag(help: "Print JSON for scripts.") var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let path = try modelOptions.path()
        let loaded = try ModelFile.read(contentsOf: path, for: .classifier("predict"))
        let model = loaded.model
        let classes = (loaded.dataset ?? .mnist).classes
        let (pixels, label, inverted) = try source.load(model: loaded, at: path)
        let probabilities = try model.predict(pixels, batch: 1)
        guard probabilities.count == classes.count else {
            throw ValidationError(
                "\(path): the model gives \(probabilities.count) outputs but its dataset has \(classes.count) classes; predict needs one output per class"
            )
        }
        let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        if json {
            var object: [String: Any] = [
                "probabilities": probabilities.map(Double.init), "top": top, "topClass": classes[top],
                "classes": classes, "input": source.name, "inverted": inverted,
            ]
            if let label { object["label"] = label }
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            )
            return
        }
        let named = classes != DatasetRecord.mnist.classes
        func className(_ index: Int) -> String { named ? "\(index) \(classes[index])" : "\(index)" }
        print(
            "input: \(source.name)" + (label.map { " (label \(className($0)))" } ?? "")
                + (inverted ? " (inverted)" : ""))
        let width = classes.map(\.count).max() ?? 1
        for (index, p) in probabilities.enumerated() {
            let bar = String(repeating: "#", count: Int((p * 40).rounded()))
            let name = named ? "  " + classes[index].padding(toLength: width, withPad: " ", startingAt: 0) : ""
            print(String(format: "  %d%@  %.6f  %@", index, name, p, bar))
        }
        print(String(format: "top class: %@ (%.2f%%)", className(top), 100 * probabilities[top]))
    }
}
