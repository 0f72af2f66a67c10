import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import Pictures

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test accuracy and confusion matrix of the model.")

    @Option(help: "Folder with the t10k- IDX files.") var data: String?
    @Flag(help: "Print JSON for scripts.") var json = false
    @Option(name: .shortAndLong, help: "Also draw the confusion matrix as a PNG heatmap.") var output: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        try threadOptions.apply()
        let model = try modelOptions.load(for: .mnistClassifier("evaluate"))
        let test = try MNISTDataset(directory: data ?? DigitInput.defaultDataDirectory(), split: .test)
        let evaluation = try Evaluation(model: model, data: test)
        if json {
            let object: [String: Any] = [
                "accuracy": evaluation.accuracy, "count": evaluation.count, "confusion": evaluation.confusion,
            ]
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            )
        } else {
            print(
                String(
                    format: "test accuracy: %.2f%% (%d of %d)", 100 * evaluation.accuracy,
                    Int((evaluation.accuracy * Double(evaluation.count)).rounded()), evaluation.count))
            print("confusion matrix (rows: true digit, columns: predicted)")
            print("      " + (0..<10).map { String(format: "%5d", $0) }.joined())
            for (digit, row) in evaluation.confusion.enumerated() {
                print(String(format: "  %d:  ", digit) + row.map { String(format: "%5d", $0) }.joined())
            }
        }
        if let output {
            try Files.createFolder(containing: output)
            try ConfusionHeatmap.draw(evaluation.confusion).write(to: output)
            if !json { print("heatmap -> \(output)") }
        }
    }
}
