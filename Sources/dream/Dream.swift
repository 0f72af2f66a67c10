import ArgumentParser

@main
struct Dream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dream",
        abstract: "Multi-scale DeepDreams with a small CNN trained on MNIST.",
        discussion: """
            Rendering is the default: 'dream --preset ghost --map 56 photo.jpg' and \
            'dream render --preset ghost --map 56 photo.jpg' are the same. The bundled model \
            (99.3% on MNIST) is used unless --model names another.
            """,
        version: "0.1.0",
        subcommands: [
            Render.self, View.self, Presets.self, Layers.self, OIP.self, Sheet.self, Activations.self, Batch.self,
            Predict.self, Evaluate.self, Train.self,
            Bench.self,
        ],
        defaultSubcommand: Render.self)
}
