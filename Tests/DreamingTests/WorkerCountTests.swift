import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming

/// Same input, settings and seed give the same bytes whatever the worker count: the work
/// is cut the same way and every sum runs in the same order on any machine.
@Suite struct WorkerCountTests {
    static let presets = PresetLibrary(directories: [repositoryRoot + "/presets"])

    func bits(_ image: Image) -> [UInt32] { image.pixels.map(\.bitPattern) }

    @Test(arguments: WorkerCountTests.presets.names())
    func everyPresetGivesTheSameBytesOnOneToFourWorkers(preset: String) throws {
        var settings = try Self.presets.load(preset).settings
        settings.steps = min(settings.steps, 3)
        settings.loops = min(settings.loops, 2)
        // conv mode on a photo large enough to be cut into blocks at its last octaves.
        let photo = settings.mode == .conv ? syntheticPhoto(width: 300, height: 210) : syntheticPhoto()
        if settings.mode == .conv {
            let objective = try DreamObjective(settings: settings, model: try bundledModel())
            let evaluator = ObjectiveGradient(model: try bundledModel(), objective: objective, workers: 1)
            let plan = evaluator.blockPlan(for: FeatureShape(height: 210, width: 300, channels: 1))
            #expect((plan?.blocks.count ?? 0) >= 4, "\(preset): the photo is cut into blocks")
        }
        let reference = try DreamRenderer(model: try bundledModel(), workers: 1).render(photo, settings: settings)
        for workers in 2...4 {
            let other = try DreamRenderer(model: try bundledModel(), workers: workers).render(photo, settings: settings)
            // Compared as booleans: a failure prints the preset, not a million numbers.
            let sameImage = bits(other.image) == bits(reference.image)
            let sameHistory = other.history.map(\.bitPattern) == reference.history.map(\.bitPattern)
            #expect(sameImage, "\(preset) on \(workers) workers: image")
            #expect(sameHistory, "\(preset) on \(workers) workers: objective history")
        }
    }

    /// On a photo large enough for the full-size phases to run in bands (colour split,
    /// resampling, range step, strength, the change added back, colours joined), the
    /// bands change nothing either. Few steps: the network's part is tested above. Ghost
    /// runs twice: its loops at full size, and on a working copy within a smaller budget.
    @Test(arguments: [("ghost", Int.max), ("ghost", 40_000), ("tiles", Int.max)])
    func fullSizePhasesGiveTheSameBytesOnAnyWorkerCount(preset: String, budget: Int) throws {
        var settings = try Self.presets.load(preset).settings
        settings.steps = 1
        settings.loops = min(settings.loops, 2)
        settings.octaves = 1
        settings.patternSize = .fraction(0.5)
        let photo = syntheticPhoto(width: 480, height: 360)
        #expect(photo.planeSize > 2 * Bands.minimumItems, "the photo is cut into bands")
        func renderer(_ workers: Int) throws -> DreamRenderer {
            let renderer = DreamRenderer(model: try bundledModel(), workers: workers)
            renderer.downscaleBudget = budget
            return renderer
        }
        let reference = try renderer(1).render(photo, settings: settings)
        for workers in [2, 3] {
            let other = try renderer(workers).render(photo, settings: settings)
            let sameImage = bits(other.image) == bits(reference.image)
            #expect(sameImage, "\(preset) on \(workers) workers: image")
            #expect(other.strength?.bitPattern == reference.strength?.bitPattern, "\(preset): strength")
        }
    }

    /// Tiles go through the network in groups; the group size changes nothing.
    @Test func tileGroupsChangeNothing() throws {
        var settings = try Self.presets.load("tiles").settings
        settings.steps = 2
        settings.octaves = 1
        let objective = try DreamObjective(settings: settings, model: try bundledModel())
        var results: [[UInt32]] = []
        for (group, workers) in [(GradientAscent.defaultTileGroup, 1), (8, 3), (12, 2)] {
            let ascent = GradientAscent(
                evaluator: ObjectiveGradient(model: try bundledModel(), objective: objective, workers: workers))
            ascent.tileGroup = group
            var image = ColorSpace.luma(of: syntheticPhoto())
            var generator = SeededGenerator(seed: 3)
            try ascent.ascend(
                &image, view: .tiles(overlap: 4), steps: 2, stepSize: 0.01, jitter: 0, lossCap: nil,
                using: &generator)
            results.append(bits(image) + ascent.history.map(\.bitPattern))
        }
        let same = results.map { $0 == results[0] }
        #expect(same == [true, true, true])
    }
}
