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
    @Flag(
        help:
            "Plain pixel ascent, without the random shifts, scaling, rotation and Laplacian-normalised gradient that make patterns readable."
    ) var raw = false
    @Option(help: "Largest random shift per step, pixels (not with --raw).") var jitter: Float = 2
    @Flag(help: "Patterns that wrap around and tile without seams (periodic noise, a wrapping roll every step).")
    var seamless = false

    func validate() throws {
        try checkRange("--steps", steps, SettingsRanges.oipSteps)
        try checkRange("--step-size", stepSize, SettingsRanges.oipStepSize)
        try checkRange("--restarts", restarts, SettingsRanges.restarts)
        _ = try parsedNoiseScales()
    }

    func parsedNoiseScales() throws -> [Int] {
        let scales = noiseScales.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !scales.isEmpty, scales.allSatisfy({ $0.map(SettingsRanges.noiseScale.contains) ?? false }) else {
            throw ValidationError(
                "--noise-scales takes lengths \(SettingsRanges.noiseScale) separated by commas, like 1,4,7; got '\(noiseScales)'"
            )
        }
        return scales.map { $0! }
    }

    /// The settings as given; OIPSearch checks their ranges against the model.
    func settings() throws -> OIPSearch.Settings {
        var s = OIPSearch.Settings()
        s.noiseScales = try parsedNoiseScales()
        s.steps = steps
        s.stepSize = stepSize
        s.restarts = restarts
        s.seed = seed
        s.style = raw ? .raw : .regularized
        s.seamless = seamless
        guard jitter >= 0, jitter <= 8 else { throw ValidationError("--jitter must be in 0...8") }
        s.jitter = jitter
        return s
    }
}
