import ArgumentParser
import Dreaming
import Foundation
import Imaging
import NeuralNet
import Pictures

extension Colormap: ExpressibleByArgument {}

/// Options shared by the OIP commands; defaults and limits are OIPSearch.Settings'.
struct OIPOptions: ParsableArguments {
    private static let defaults = OIPSearch.Settings()
    @Option(help: "Ascent steps.") var steps = defaults.steps
    @Option(help: "Mean pixel change per step.") var stepSize = defaults.stepSize
    @Option(help: ArgumentHelp("Length scales of the starting noise, pixels.", valueName: "1,4,7"))
    var noiseScales = defaults.noiseScales.map(String.init).joined(separator: ",")
    @Option(help: "Restarts from new noise for maps that stay silent.") var restarts = defaults.restarts
    @Option(help: "Random seed.") var seed = defaults.seed
    @Option(help: "Colormap of the pictures.") var colormap = Colormap.viridis

    /// The settings as given; OIPSearch checks their ranges against the model.
    func settings() throws -> OIPSearch.Settings {
        var s = OIPSearch.Settings()
        let scales = noiseScales.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !scales.isEmpty, scales.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--noise-scales takes whole numbers separated by commas, like 1,4,7")
        }
        s.noiseScales = scales.map { $0! }
        s.steps = steps
        s.stepSize = stepSize
        s.restarts = restarts
        s.seed = seed
        return s
    }
}
