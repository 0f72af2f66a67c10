import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import NeuralNet

extension ModelImport.Layout: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a small CNN trained in PyTorch or Keras (safetensors) into a dream model.",
        discussion: """
            The weights file holds each conv and dense layer's weight (PyTorch 'weight', Keras \
            'kernel') and bias. Rank-4 weights are the conv layers and rank-2 weights the dense \
            layers, each in the natural order of their names (digits compared as numbers: \
            0 < 3 < 10, conv2d < conv2d_1 < conv2d_2), matched to --arch's layers in order. \
            PyTorch's NCHW flatten before the first linear layer is reordered to dream's HWC. \
            With --expect-accuracy the model is tested first and nothing is written unless it \
            scores within 0.1 points of it. tools/export_fixture.py shows how to export.
            """)

    @Argument(help: ArgumentHelp("The weights (safetensors, float32).", valueName: "weights.safetensors"))
    var weights: String
    @Option(help: ArgumentHelp("The network, e.g. \(ArchitectureSpec.bundled).", discussion: ArchitectureSpec.grammar))
    var arch: String
    @Option(help: "Which framework's tensor layouts the file uses: pytorch or keras.") var layout: ModelImport.Layout
    @Option(name: .shortAndLong, help: "The dream model to write.") var output: String
    @Option(help: "Refuse unless the model scores this test accuracy (0.9912 or 99.12%) within 0.1 points.")
    var expectAccuracy: String?
    @Option(help: "Folder with the t10k- IDX files for --expect-accuracy; default: the bundled MNIST.")
    var data: String?

    func validate() throws {
        if data != nil && expectAccuracy == nil { throw ValidationError("--data is only used with --expect-accuracy") }
        if let text = expectAccuracy, Self.accuracy(text) == nil {
            throw ValidationError(
                "--expect-accuracy takes a fraction like 0.9912 or a percentage like 99.12%; got '\(text)'")
        }
    }

    /// "0.9912" or "99.12%" -> 0.9912.
    static func accuracy(_ text: String) -> Double? {
        let percent = text.hasSuffix("%")
        guard let value = Double(percent ? String(text.dropLast()) : text), value.isFinite else { return nil }
        let fraction = percent ? value / 100 : value
        return (0...1).contains(fraction) ? fraction : nil
    }

    func run() throws {
        try Files.refuseOverwriting([weights], with: output)
        let architecture = try ArchitectureSpec(parsing: arch)
        let model = try ModelImport.model(
            safetensors: ModelFile.bytes(contentsOf: weights), path: weights, architecture: architecture,
            layout: layout)
        var note = "not checked against a dataset (give --expect-accuracy)"
        if let text = expectAccuracy, let expected = Self.accuracy(text) {
            let folder = try data ?? DigitInput.defaultDataDirectory()
            let test = try MNISTDataset(directory: folder, split: .test)
            let measured = try ModelImport.checkAccuracy(
                of: model, on: test, expected: expected, dataName: folder)
            note = String(format: "test accuracy %.2f%% on %@, as stated", 100 * measured, folder)
        }
        try Files.createFolder(containing: output)
        try ModelFile.write(model, training: nil, to: output)
        print(
            "\(weights) (\(layout.rawValue)) -> \(output): \(architecture), \(model.parameterCount) parameters; \(note)"
        )
    }
}
