import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming

/// The map explorer's batch gives each map the dream a single render of that map gives.
@Suite struct MapExplorerTests {
    func ghost() throws -> DreamSettings { try PresetLibrary().load("ghost").settings }

    /// Each cell of the batched explorer against `DreamRenderer` with that map alone.
    @Test(arguments: [("conv3", [56, 3, 100, 17]), ("conv2", [5, 40]), ("dense2", [4, 7])])
    func batchedCellsEqualSingleMapRenders(target: (layer: String, maps: [Int])) throws {
        let model = try bundledModel()
        let photo = syntheticPhoto(width: 80, height: 60)
        var settings = try ghost()
        settings.steps = 12
        settings.loops = 3
        let cells = try MapExplorer(model: model).explore(
            photo, settings: settings, layer: target.layer, maps: target.maps)
        #expect(cells.map(\.map) == target.maps)
        let renderer = DreamRenderer(model: try bundledModel())
        for cell in cells {
            let single = try renderer.render(
                photo, settings: MapExplorer.settings(settings, layer: target.layer, map: cell.map))
            let difference = maxDifference(cell.image, single.image)
            print("explore \(target.layer) map \(cell.map): largest difference from the single render \(difference)")
            #expect(difference < 1e-4, "\(target.layer) map \(cell.map): differs by \(difference)")
            #expect(abs(cell.objective - single.history.last!) <= 1e-4 * max(1, abs(cell.objective)))
            #expect(cell.image.width == 80 && cell.image.height == 60 && cell.image.channels == single.image.channels)
        }
        // Different maps give different dreams.
        #expect(maxDifference(cells[0].image, cells[1].image) > 0.01)
    }

    /// Jitter draws its shifts per item, and a loss cap stops items one by one, as in
    /// single renders.
    @Test func jitterAndLossCapFollowEachMapsOwnRender() throws {
        let model = try bundledModel()
        let photo = syntheticPhoto(width: 56, height: 56, channels: 1)
        var settings = try ghost()
        settings.steps = 15
        settings.loops = 2
        settings.jitter = 2
        settings.lossCap = 0.5
        let maps = [56, 17, 77]
        let cells = try MapExplorer(model: model).explore(photo, settings: settings, layer: "conv3", maps: maps)
        let renderer = DreamRenderer(model: try bundledModel())
        var stoppedEarly = 0
        for cell in cells {
            let single = try renderer.render(
                photo, settings: MapExplorer.settings(settings, layer: "conv3", map: cell.map))
            #expect(maxDifference(cell.image, single.image) < 1e-4, "map \(cell.map)")
            if single.history.count < settings.steps * settings.loops { stoppedEarly += 1 }
        }
        #expect(stoppedEarly >= 1, "the cap should stop at least one map early")
    }

    @Test func refusesWhatItCannotExplore() throws {
        let explorer = MapExplorer(model: try bundledModel())
        var tiles = try ghost()
        tiles.mode = .tiles
        #expect(throws: DreamError.self) { try explorer.explore(syntheticPhoto(), settings: tiles, layer: "conv3") }
        let settings = try ghost()
        #expect(throws: DreamError.mapOutOfRange(layer: "conv3", map: 128, count: 128)) {
            try explorer.explore(syntheticPhoto(), settings: settings, layer: "conv3", maps: [3, 128])
        }
        #expect(throws: DreamError.self) {
            try explorer.explore(syntheticPhoto(), settings: try ghost(), layer: "pool1")
        }
    }

    /// Every map gets the same fixed-step effort: a strength-driven preset steps
    /// `fixedStepSize`, explicit step sizes stay, a soft range becomes std.
    @Test func mapsRunOnFixedSteps() throws {
        let ghost = try ghost()
        #expect(ghost.strength != nil)
        let single = MapExplorer.settings(ghost, layer: "conv2", map: 7)
        #expect(single.strength == nil && single.stepSize == MapExplorer.fixedStepSize && single.range != .soft)
        #expect(single.maps == [7] && single.layer == "conv2" && single.layers.isEmpty && single.classIndex == nil)
        var stepped = ghost
        stepped.strength = nil
        stepped.stepSize = 0.01
        stepped.range = .soft
        let kept = MapExplorer.settings(stepped, layer: "conv3", map: 1)
        #expect(kept.stepSize == 0.01 && kept.range == .std)
    }

    /// The batch's memory is checked before it starts: every copy of the photo counts.
    @Test func aBatchTooLargeForTheMemoryLimitIsRefused() throws {
        let renderer = DreamRenderer(model: try bundledModel())
        renderer.memoryLimit = (bytes: RenderMemory.fixedBytes + 40 << 20, source: "test")
        var settings = MapExplorer.settings(try ghost(), layer: "conv3", map: 0)
        settings.steps = 2
        let photo = syntheticPhoto(width: 200, height: 200)
        // 30 bytes per pixel per copy: 128 copies need 146 MiB, 4 copies 5 MiB.
        #expect(throws: DreamError.self) { try renderer.renderMaps(photo, settings: settings, maps: Array(0..<128)) }
        #expect(try renderer.renderMaps(photo, settings: settings, maps: Array(0..<4)).results.count == 4)
    }

    /// All maps go through the network together: one pass per step, not one per map and
    /// step. Prints the time against one render per map (wall clock, so not asserted:
    /// other tests share the cores).
    @Test func oneBatchPerStepForAllMaps() throws {
        let model = try bundledModel()
        let photo = syntheticPhoto(width: 96, height: 64)
        var settings = try ghost()
        settings.steps = 10
        settings.loops = 2
        let maps = Array(0..<24)
        let explorer = MapExplorer(model: model)
        let clock = ContinuousClock()
        var cells: [MapExplorer.Cell] = []
        let batched = try clock.measure {
            cells = try explorer.explore(photo, settings: settings, layer: "conv3", maps: maps)
        }
        // A pass per step of the slowest map, not per map and step.
        let renderer = DreamRenderer(model: try bundledModel())
        let steps = try maps.map { map in
            try renderer.render(photo, settings: MapExplorer.settings(settings, layer: "conv3", map: map)).history.count
        }
        #expect(
            explorer.passes >= steps.max()! && explorer.passes * 4 < steps.reduce(0, +), "\(explorer.passes) passes")
        #expect(cells.count == 24)
        let serial = try clock.measure {
            for map in maps {
                _ = try renderer.render(photo, settings: MapExplorer.settings(settings, layer: "conv3", map: map))
            }
        }
        print("explore: 24 maps in one batch \(batched), one render per map \(serial)")
    }
}
