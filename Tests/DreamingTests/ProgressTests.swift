import Foundation
import Imaging
import Resampling
import TestSupport
import Testing

@testable import Dreaming

/// A render tells where it is after every step (the command line's display of it:
/// CLITests' ProgressLineTests).
@Suite struct ProgressTests {
    func collect(_ settings: DreamSettings, photo: Image = syntheticPhoto()) throws -> [RenderProgress] {
        let renderer = DreamRenderer(model: try bundledModel(), workers: 2)
        var seen: [RenderProgress] = []
        renderer.progress = { seen.append($0) }
        _ = try renderer.render(photo, settings: settings)
        return seen
    }

    @Test(arguments: [DreamSettings.Mode.tiles, .conv, .mixed, .downscale])
    func everyStepIsReportedAndTheFractionGrowsToOne(mode: DreamSettings.Mode) throws {
        var settings = DreamSettings()
        settings.mode = mode
        settings.strength = nil  // a strength goal may take more or fewer steps than planned
        settings.steps = 3
        settings.loops = 2
        settings.octaves = 2
        if mode == .conv {
            settings.maps = []
            settings.layers = ["conv2": 1]
        }
        let seen = try collect(settings)
        let loops = mode == .downscale || mode == .mixed ? 2 : 0, octaves = mode == .downscale ? 0 : 2
        // Each stage: its start (step 0), then steps 1, 2, 3.
        #expect(seen.count == (loops + octaves) * 4, "\(seen.map(\.description))")
        #expect(seen.map(\.step) == Array(repeating: [0, 1, 2, 3], count: loops + octaves).flatMap { $0 })
        let stages = seen.filter { $0.step == 0 }.map { "\($0.stage.rawValue) \($0.index)/\($0.count)" }
        #expect(
            stages == (0..<loops).map { "loop \($0 + 1)/\(loops)" }
                + (0..<octaves).map { "octave \($0 + 1)/\(octaves)" })
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.fraction <= $1.fraction })
        #expect(seen.first!.fraction < 0.2)
        #expect(seen.last!.fraction == 1)
        if octaves > 0 {
            let last = try #require(seen.last)
            #expect(last.width == 96 && last.height == 72 && last.steps == 3)
        }
    }

    /// With a pattern size below the photo's, the dream runs smaller and a last stage
    /// brings it to full size; with a strength goal the steps vary, the fraction still ends at 1.
    @Test func workingSizeAddsTheDetailStage() throws {
        var settings = DreamSettings()
        settings.mode = .tiles
        settings.steps = 3
        settings.octaves = 2
        settings.patternSize = .fraction(0.5)
        let seen = try collect(settings, photo: syntheticPhoto(width: 160, height: 120))
        let stages = seen.filter { $0.step == 0 }.map(\.description)
        let working = try #require(DreamRenderer.workingSize(width: 160, height: 120, settings: settings, tile: 28))
        let first = OctavePyramid.sizes(width: working.width, height: working.height, count: 2, scale: 1.4)[0]
        #expect(working.width < 160 && stages.first == "octave 1/2 (\(first)), step 0/3", "\(stages)")
        #expect(stages.last == "detail at 160x120")
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.fraction <= $1.fraction })
        #expect(seen.last!.fraction == 1)
    }

    /// A loss cap ends a stage early: the next stage still starts where the plan says.
    @Test func lossCapSkipsStepsButNotTheStageCount() throws {
        var settings = DreamSettings()
        settings.mode = .tiles
        settings.strength = nil
        settings.steps = 6
        settings.octaves = 2
        settings.lossCap = -1  // every step is above it: one step per octave
        let seen = try collect(settings)
        #expect(seen.map(\.step) == [0, 1, 0, 1])
        #expect(seen[2].fraction > seen[1].fraction)
    }
}
