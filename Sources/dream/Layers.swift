import ArgumentParser
import NeuralNet

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The model's layers with output shapes and map counts.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let loaded = try modelOptions.loadWithRecord()
        let model = loaded.model
        let shapes = try model.outputShapes(for: model.inputShape)
        print("layer     kind       output        maps  parameters  activation")
        for (layer, shape) in zip(model.layers, shapes) {
            let spec = layer.spec
            let maps = shape.isVector ? "-" : String(shape.channels)
            print(
                [
                    spec.name.padding(toLength: 9, withPad: " ", startingAt: 0),
                    spec.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                    shape.description.padding(toLength: 13, withPad: " ", startingAt: 0),
                    maps.padding(toLength: 5, withPad: " ", startingAt: 0),
                    String(layer.parameterCount).padding(toLength: 11, withPad: " ", startingAt: 0),
                    spec.activation?.rawValue ?? "-",
                ].joined(separator: " "))
        }
        print("input \(model.inputShape), \(model.parameterCount) parameters")
        print("architecture: \(model.architecture)")
        if let record = loaded.training, let accuracy = record.testAccuracy {
            print(
                "trained \(record.epochs) epochs on \(record.dataset) (seed \(record.seed)); test accuracy \(String(format: "%.2f", 100 * accuracy))%"
            )
        }
    }
}
