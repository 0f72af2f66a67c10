import Dreaming
import Imaging
import NeuralNet
import Pictures
import TestSupport
import Testing

/// The engine takes its geometry from the model: three architectures (the bundled one, a
/// 32x32 gray one with 5x5 kernels, a 28x28 RGB one) render, search OIPs and draw grids.
@Suite struct ArchitectureTests {
    static func settings(_ mode: DreamSettings.Mode) -> DreamSettings {
        var settings = DreamSettings()
        settings.mode = mode
        settings.layer = "conv2"
        settings.maps = [0, 1, 2, 3]
        settings.steps = 3
        settings.loops = 2
        settings.octaves = 1
        settings.strength = nil
        return settings
    }

    @Test func geometryOfThe32PixelModelIsHandComputed() throws {
        let geometry = try ArchitectureModels.small32().geometry
        // conv 5x5: field 5; pool 2: 6, stride 2; conv 3x3: 6 + 2*2 = 10; pool 2: 12, stride 4.
        #expect(geometry.inputExtent.description == "32x32")
        #expect(geometry.layers.map(\.receptiveField.width) == [5, 6, 10, 12, 32, 32])
        #expect(geometry.layers.map(\.stride.width) == [1, 2, 2, 4, 32, 32])
        #expect(geometry.layers[2].minimumInput.description == "10x10")
    }

    @Test(arguments: ["bundled", "small32", "rgb"])
    func everyArchitectureRendersAtThePhotoSize(name: String) throws {
        let model = try ArchitectureModels.named(name)
        let renderer = DreamRenderer(model: model, workers: 2)
        let photo = syntheticPhoto(width: 80, height: 64, channels: 3)
        for mode in [DreamSettings.Mode.downscale, .tiles] {
            let result = try renderer.render(photo, settings: Self.settings(mode), wantStages: mode == .downscale)
            #expect(result.image.width == 80 && result.image.height == 64 && result.image.channels == 3)
            #expect(maxDifference(result.image, photo) > 0.01, "\(name) \(mode) did not dream")
        }
    }

    @Test func aColourModelColoursAGrayPhotoAndAGrayModelKeepsChroma() throws {
        let gray = ColorSpace.luma(of: syntheticPhoto(width: 64, height: 64, channels: 3))
        let colour = try DreamRenderer(model: ArchitectureModels.rgb(), workers: 2).render(
            gray, settings: Self.settings(.tiles))
        // Were the dream fed the luma only, all three planes would stay equal.
        #expect(colour.image.channels == 3)
        #expect(maxDifference(colour.image.plane(0), colour.image.plane(2)) > 0.01)
        // A gray guide photo reaches the colour model as three equal planes.
        let guidePath = try temporaryFolder() + "/guide.png"
        try gray.write(to: guidePath)
        let guide = try DreamGuide.load(guidePath, for: ArchitectureModels.rgb(), invert: false)
        #expect(
            guide.pixels.count == 28 * 28 * 3 && guide.pixels[0] == guide.pixels[1]
                && guide.pixels[1] == guide.pixels[2])

        let photo = syntheticPhoto(width: 64, height: 64, channels: 3)
        let kept = try DreamRenderer(model: ArchitectureModels.small32(), workers: 2).render(
            photo, settings: Self.settings(.tiles))
        let before = ColorSpace.split(photo), after = ColorSpace.split(kept.image)
        #expect(maxDifference(after.luma, before.luma) > 0.01)
        let chroma = zip(after.cb.pixels, before.cb.pixels).map { abs($0 - $1) }.reduce(0, +) / Float(photo.planeSize)
        #expect(chroma < 0.02, "color keep moved the chroma by \(chroma) on average")
    }

    @Test(arguments: ["small32", "rgb"])
    func oipsAndGridsHaveTheInputShape(name: String) throws {
        let model = try ArchitectureModels.named(name)
        let input = model.inputShape
        let search = try OIPSearch(model: model, layerName: "conv2")
        var settings = OIPSearch.Settings()
        settings.steps = 6
        let patterns = try search.search(maps: [0, 1], settings: settings)
        for pattern in patterns {
            #expect(pattern.image.width == input.width && pattern.image.height == input.height)
            #expect(pattern.image.channels == input.channels)
        }
        let values = (0..<input.count).map { Float($0 % 7) / 7 }
        let grid = try ActivationGrid.render(
            model: model, input: values, layer: "conv1", standardize: true, colormap: .viridis)
        #expect(grid.channels == 3 && grid.width > input.width)
        // MNIST scores would mean nothing for this model: refused, naming both shapes.
        let digits = MNISTDataset(images: [Float](repeating: 0, count: 784), labels: [0])
        #expect(throws: DreamError.dataDoesNotFit(model: "\(input)", data: "28x28x1")) {
            _ = try search.reference(on: digits)
        }
    }
}
