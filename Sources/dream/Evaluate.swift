import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test accuracy and confusion matrix of the model on its own dataset's test set.",
        discussion:
            "The model file records its dataset (name, classes, SHA-256 of the IDX files); the bundled MNIST is found beside dream, Fashion-MNIST where Debian's dataset-fashion-mnist installs it."
    )

    @OptionGroup var dataOptions: DataOptions
    @Flag(help: "Print JSON for scripts.") var json = false
    @Option(name: .shortAndLong, help: "Also draw the confusion matrix as a PNG heatmap.") var output: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let path = try modelOptions.path()
        let loaded = try ModelFile.read(contentsOf: path, for: .classifier("evaluate"))
        let dataset = try dataOptions.dataset(for: loaded, model: path, split: .test, verb: "evaluate")
        let test = try dataset.load(.test, for: loaded.model.inputShape)
        let evaluation = try Evaluation(model: loaded.model, data: test)
        let classes = dataset.record.classes
        if json {
            var object: [String: Any] = [
                "accuracy": evaluation.accuracy, "count": evaluation.count, "confusion": evaluation.confusion,
                "dataset": dataset.mismatched ? (dataset.other ?? "other") : dataset.record.name,
                "data": dataset.directory, "classes": classes,
            ]
            if let recorded = loaded.training?.testAccuracy { object["recordedAccuracy"] = recorded }
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            )
        } else {
            print(dataset.describe("evaluating", split: .test, count: test.count))
            var accuracy = String(
                format: "test accuracy: %.2f%% (%d of %d)", 100 * evaluation.accuracy,
                Int((evaluation.accuracy * Double(evaluation.count)).rounded()), evaluation.count)
            if let recorded = loaded.training?.testAccuracy, !dataset.mismatched {
                accuracy += String(format: "; recorded at training: %.2f%%", 100 * recorded)
            }
            print(accuracy)
            let named = classes != DatasetRecord.mnist.classes
            print("confusion matrix (rows: true class, columns: predicted)")
            let width = named ? classes.map(\.count).max() ?? 0 : 0
            let indent = String(repeating: " ", count: width + (named ? 1 : 0))
            print(indent + "      " + (0..<classes.count).map { String(format: "%5d", $0) }.joined())
            for (index, row) in evaluation.confusion.enumerated() {
                let name = named ? classes[index].padding(toLength: width, withPad: " ", startingAt: 0) + " " : ""
                print(String(format: "  %@%d:  ", name, index) + row.map { String(format: "%5d", $0) }.joined())
            }
        }
        if let output {
            try Files.createFolder(containing: output)
            try ConfusionHeatmap.draw(evaluation.confusion).write(to: output)
            if !json { print("heatmap -> \(output)") }
        }
    }
}
