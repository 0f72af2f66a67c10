import Foundation
import Imaging
import NeuralNet
import Resampling
import TestSupport
import Testing

@testable import Dreaming

@Suite(.tags(.slow), .skippedByFastRuns) struct RecipeTests {
    let renderer: DreamRenderer

    init() throws { renderer = DreamRenderer(model: try bundledModel()) }

    func settings(_ mode: DreamSettings.Mode) -> DreamSettings {
        var s = versionOneSettings()
        s.mode = mode
        s.range = .none
        s.octaves = mode == .downscale ? 1 : 3
        s.octaveScale = 1.3
        if mode == .conv {
            s.maps = []
            s.layers = ["conv2": 1]
        }
        return s
    }

    @Test(arguments: DreamSettings.Mode.allCases)
    func zeroStepsGiveTheInputBack(mode: DreamSettings.Mode) throws {
        // With no ascent, the lost detail re-added after every upscale restores the photo exactly.
        var s = settings(mode)
        s.steps = 0
        s.loops = 3
        let photo = syntheticPhoto()
        let out = try renderer.render(photo, settings: s)
        #expect(out.image.channels == 3)
        #expect(maxDifference(out.image, photo) < 2e-4, "\(mode): \(maxDifference(out.image, photo))")
    }

    @Test func zeroStepsWithRangeAdjustmentOnlyChangeTheRange() throws {
        var s = settings(.downscale)
        s.steps = 0
        s.loops = 1  // later loops re-add the original's detail to the stretched image
        s.color = .gray
        s.range = .stretch
        let photo = syntheticPhoto(channels: 1)
        let out = try renderer.render(photo, settings: s).image
        let lo = photo.pixels.min()!, hi = photo.pixels.max()!
        let expected = photo.pixels.map { ($0 - lo) / (hi - lo) }
        #expect(zip(out.pixels, expected).allSatisfy { abs($0 - $1) < 2e-4 })
    }

    @Test(arguments: DreamSettings.Mode.allCases)
    func dreamingChangesThePhoto(mode: DreamSettings.Mode) throws {
        var s = settings(mode)
        s.steps = 8
        s.stepSize = 0.01
        s.loops = 2
        let photo = syntheticPhoto()
        let out = try renderer.render(photo, settings: s)
        #expect(maxDifference(out.image, photo) > 0.02)
        #expect(out.history.count == (mode == .downscale ? 2 : mode == .mixed ? 2 + 3 : 3) * 8)
        // Where the network sees the same view every step (no moving tile grid), the
        // objective rises within each loop or octave.
        guard mode == .downscale || mode == .conv else { return }
        for start in stride(from: 0, to: out.history.count, by: s.steps) {
            let run = Array(out.history[start..<start + s.steps])
            #expect(run.last! > run.first!, "\(mode) steps \(start)...: \(run)")
        }
    }

    @Test func tiledAscentRaisesTheObjectiveOnEveryGrid() throws {
        var s = versionOneSettings()
        s.maps = []
        s.layers = ["conv3": 1]
        let model = try bundledModel()
        let objective = try DreamObjective(settings: s, model: model)
        let evaluator = ObjectiveGradient(model: model, objective: objective)
        let ascent = GradientAscent(evaluator: evaluator)
        let start = ColorSpace.luma(of: syntheticPhoto(width: 100, height: 80))
        var image = start
        var generator = SeededGenerator(seed: 4)
        try ascent.ascend(
            &image, view: .tiles(overlap: 4), steps: 15, stepSize: 0.01, jitter: 0, lossCap: nil, using: &generator)
        // Measured on fixed grids the ascent never saw as such, before and after.
        for offset in [0, 5, 11, 17] {
            let grid = TileGrid(
                imageWidth: 100, imageHeight: 80, tileSize: 28, overlap: 4, offsetX: offset, offsetY: offset)
            func objectiveValue(_ picture: Image) throws -> Float {
                let tiles = grid.extract(from: picture)
                _ = try tiles.withUnsafeBufferPointer {
                    try evaluator.evaluate(
                        $0.baseAddress!, batch: grid.count, shape: .init(height: 28, width: 28, channels: 1))
                }
                return evaluator.meanLoss
            }
            let before = try objectiveValue(start), after = try objectiveValue(image)
            #expect(after > before * 1.2, "grid offset \(offset): \(before) -> \(after)")
        }
    }

    @Test func everyObjectiveKindRises() throws {
        let objectives: [(String, (inout DreamSettings) -> Void)] = [
            (
                "map",
                {
                    $0.maps = [56]; $0.layer = "conv3"
                }
            ),
            (
                "conv1 map",
                {
                    $0.maps = [5]; $0.layer = "conv1"
                }
            ),
            (
                "layers",
                {
                    $0.maps = []; $0.layers = ["conv2": 0.5, "conv3": 1]
                }
            ),
            (
                "dense1 unit",
                {
                    $0.maps = [7]; $0.layer = "dense1"
                }
            ),
            (
                "class",
                {
                    $0.maps = []; $0.classIndex = 4
                }
            ),
            (
                "mix",
                {
                    $0.maps = [3, 17]; $0.layers = ["conv1": 0.3]; $0.classIndex = 8
                }
            ),
        ]
        var generator = SeededGenerator(seed: 3)
        let start = Image(
            width: 28, height: 28, pixels: (0..<784).map { _ in Float.random(in: 0.3...0.5, using: &generator) })
        for (name, configure) in objectives {
            var s = versionOneSettings()
            configure(&s)
            let objective = try DreamObjective(settings: s, model: try bundledModel())
            let ascent = GradientAscent(evaluator: ObjectiveGradient(model: try bundledModel(), objective: objective))
            var image = start
            try ascent.ascend(
                &image, view: .whole, steps: 15, stepSize: 0.01, jitter: 0, lossCap: nil, using: &generator)
            #expect(ascent.history.last! > ascent.history.first! + 1e-3, "\(name): \(ascent.history)")
        }
    }

    @Test func lossCapStopsEarly() throws {
        var s = versionOneSettings()
        s.maps = [56]
        let objective = try DreamObjective(settings: s, model: try bundledModel())
        let ascent = GradientAscent(evaluator: ObjectiveGradient(model: try bundledModel(), objective: objective))
        var image = Image(width: 28, height: 28, value: 0.4)
        var generator = SeededGenerator(seed: 1)
        try ascent.ascend(&image, view: .whole, steps: 200, stepSize: 0.02, jitter: 0, lossCap: 0.5, using: &generator)
        #expect(ascent.history.count < 200)
        #expect(ascent.history.last! > 0.5)
    }

    /// Mean |change| per column, folded by the tile stride: a fixed grid leaves a periodic
    /// seam pattern, a shifting one must not.
    func seamContrast(shifting: Bool) throws -> Float {
        var s = versionOneSettings()
        s.maps = []
        s.layers = ["conv2": 1]
        let objective = try DreamObjective(settings: s, model: try bundledModel())
        let ascent = GradientAscent(evaluator: ObjectiveGradient(model: try bundledModel(), objective: objective))
        let photo = ColorSpace.luma(of: syntheticPhoto(width: 181, height: 139))
        var image = photo
        var generator = SeededGenerator(seed: 5)
        try ascent.ascend(
            &image, view: .tiles(overlap: 0, shifting: shifting), steps: 24, stepSize: 0.01, jitter: 0,
            lossCap: nil, using: &generator)
        var bins = [Float](repeating: 0, count: 28)
        // Away from the image's own borders, where reflection weakens the gradient.
        for y in 20..<(image.height - 20) {
            for x in 20..<(image.width - 20) { bins[x % 28] += abs(image[x, y] - photo[x, y]) }
        }
        // Energy at the tile border columns against the interior columns.
        let border = (bins[0] + bins[27]) / 2
        let interior = bins[8..<20].reduce(0, +) / 12
        return border / interior
    }

    @Test func tileSeamsDoNotShow() throws {
        let shifting = try seamContrast(shifting: true)
        let fixed = try seamContrast(shifting: false)
        print("seam contrast: moving grid \(shifting), fixed grid \(fixed)")
        #expect(shifting > 0.8 && shifting < 1.25, "border/interior energy \(shifting) with a moving grid")
        // The control: a fixed grid does leave seams, so the measure can fail.
        #expect(abs(fixed - 1) > abs(shifting - 1), "fixed grid \(fixed) vs moving \(shifting)")
    }

    @Test func fixedTileGridLetsEachTileBecomeTheClass() throws {
        var s = versionOneSettings()
        s.mode = .tiles
        s.maps = []
        s.classIndex = 4
        s.steps = 15
        s.stepSize = 0.02
        s.range = .clip
        s.tileOverlap = 0
        let photo = syntheticPhoto(width: 84, height: 56)
        s.tileGrid = .fixed
        let fixed = try renderer.render(photo, settings: s).history
        s.tileGrid = .moving
        let moving = try renderer.render(photo, settings: s).history
        // On a fixed grid every step climbs the same tiles' class score.
        #expect(zip(fixed, fixed.dropFirst()).allSatisfy { $1 > $0 }, "\(fixed)")
        #expect(fixed.last! > 10 * max(moving.last!, 1), "fixed \(fixed.last!) moving \(moving.last!)")
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let folder = try temporaryFolder()
        let input = folder + "/in.png"
        try syntheticPhoto().write(to: input)
        let files = FileRenderer(model: try bundledModel())
        var s = versionOneSettings()
        s.mode = .tiles
        s.octaves = 2
        s.steps = 5
        s.maps = []
        s.layers = ["conv3": 1]
        for name in ["a", "b"] {
            _ = try files.render(.init(input: input, output: folder + "/\(name).png", settings: s))
        }
        s.seed = 2
        _ = try files.render(.init(input: input, output: folder + "/c.png", settings: s))
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.png"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: folder + "/b.png"))))
        #expect(a != (try Data(contentsOf: URL(fileURLWithPath: folder + "/c.png"))))
    }

    @Test func colorKeepChangesOnlyLuminance() throws {
        var s = settings(.downscale)
        s.steps = 6
        s.range = .none
        let photo = syntheticPhoto()
        let out = try renderer.render(photo, settings: s).image
        let before = ColorSpace.split(photo), after = ColorSpace.split(out)
        // Chroma is kept wherever no channel had to be clipped.
        var worst: Float = 0
        for i in 0..<photo.planeSize
        where (0..<3).allSatisfy({
            out.pixels[$0 * photo.planeSize + i] > 0.01 && out.pixels[$0 * photo.planeSize + i] < 0.99
        }) {
            worst = max(
                worst, abs(before.cb.pixels[i] - after.cb.pixels[i]), abs(before.cr.pixels[i] - after.cr.pixels[i]))
        }
        #expect(worst < 1e-3)
        #expect(maxDifference(before.luma, after.luma) > 0.01)
    }

    @Test func stagesStripHasFivePanels() throws {
        var s = settings(.downscale)
        s.steps = 3
        let result = try renderer.render(syntheticPhoto(), settings: s, wantStages: true)
        let strip = try #require(result.stages)
        #expect(strip.height == 240 + StageStrip.captionHeight)
        // Two square panels, three of the photo's aspect, four gaps.
        #expect(strip.width == 2 * 240 + 3 * (96 * 240 / 72) + 4 * 6)
    }
}

@Suite struct BlockSplitTests {
    /// One large image cut into blocks (rows and columns) gives the same objective and
    /// input gradient as the whole image at once.
    @Test(arguments: [
        (["conv3": Float(1)], [Int]()), (["conv2": 1, "conv1": 0.3], []), ([:], [5, 56]),
        (["conv1": 1], []),
    ])
    func blocksGiveTheWholeImagesGradient(layers: [String: Float], maps: [Int]) throws {
        var settings = DreamSettings()
        settings.layers = layers
        settings.maps = MapWeights(maps)
        settings.layer = "conv3"
        let model = try bundledModel()
        let objective = try DreamObjective(settings: settings, model: model)
        let split = ObjectiveGradient(model: model, objective: objective, workers: 2)
        split.blockSide = 40
        let single = ObjectiveGradient(model: try bundledModel(), objective: objective, workers: 1)
        single.blockSide = 1000
        var generator = SeededGenerator(seed: 8)
        for (height, width, blocks) in [(101, 64, 3 * 2), (160, 90, 4 * 3), (77, 50, 2 * 2), (83, 41, 3 * 2)] {
            let shape = FeatureShape(height: height, width: width, channels: 1)
            let image = (0..<(height * width)).map { _ in Float.random(in: 0...1, using: &generator) }
            let plan = try #require(split.blockPlan(for: shape))
            #expect(plan.blocks.count == blocks, "\(height)x\(width)")
            #expect(single.blockPlan(for: shape)?.blocks.count == 1)
            let a = try image.withUnsafeBufferPointer {
                Array(
                    UnsafeBufferPointer(
                        start: try split.evaluate($0.baseAddress!, batch: 1, shape: shape), count: image.count))
            }
            let b = try image.withUnsafeBufferPointer {
                Array(
                    UnsafeBufferPointer(
                        start: try single.evaluate($0.baseAddress!, batch: 1, shape: shape), count: image.count))
            }
            let scale = b.map { abs($0) }.max()!
            let worst = zip(a, b).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-4 * scale, "\(layers) \(maps) \(height)x\(width): \(worst) of \(scale)")
            #expect(abs(split.meanLoss - single.meanLoss) <= 1e-4 * abs(single.meanLoss) + 1e-6)
        }
    }

    /// The cut depends on the image size alone, each block's own part is at most
    /// `blockSide` a side, and the parts cover the image once.
    @Test func blocksDependOnTheSizeOnlyAndStayBounded() throws {
        var settings = DreamSettings()
        settings.maps = []
        settings.layers = ["conv3": 1]
        let objective = try DreamObjective(settings: settings, model: try bundledModel())
        let one = ObjectiveGradient(model: try bundledModel(), objective: objective, workers: 1)
        let three = ObjectiveGradient(model: try bundledModel(), objective: objective, workers: 3)
        for (height, width) in [(28, 28), (127, 500), (1000, 750), (4000, 3000)] {
            let shape = FeatureShape(height: height, width: width, channels: 1)
            let a = try #require(one.blockPlan(for: shape)), b = try #require(three.blockPlan(for: shape))
            #expect(a.blocks == b.blocks)
            for block in a.blocks {
                // conv3's receptive field is 18 pixels at stride 4: a halo of 14.
                #expect(block.rows.count <= ObjectiveGradient.defaultBlockSide + 14)
                #expect(block.columns.count <= ObjectiveGradient.defaultBlockSide + 14)
                #expect(block.rows.lowerBound % 4 == 0 && block.columns.lowerBound % 4 == 0)
            }
            // Owned conv3 positions cover the layer exactly once.
            let full = try bundledModel().outputShapes(for: shape, through: 4)[4]
            let owned = a.blocks.reduce(0) { $0 + $1.ownedRows[4]!.count * $1.ownedColumns[4]!.count }
            #expect(owned == full.height * full.width, "\(height)x\(width)")
        }
    }
}

/// Default settings with version 1's engine: `steps` steps of `stepSize`, std range.
func versionOneSettings() -> DreamSettings {
    var s = DreamSettings()
    s.strength = nil
    s.range = .std
    return s
}
