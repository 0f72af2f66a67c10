import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming
@testable import Pictures

/// Labels wherever a person looks: map numbers, stage names, axis titles. Each check
/// draws the expected text into a blank image of the same background with the same font
/// and compares the pixels, so a missing, misplaced or wrong label fails.
@Suite struct LabelTests {
    @Test func everyLabelCharacterHasAGlyph() {
        for text in StageStrip.names(pattern: Image(width: 28, height: 28)) + [
            "predicted", "true", "DEAD", "1.2×", "input", "conv2: 64 maps, each map standardised",
        ] {
            for character in text { #expect(BitmapFont.hasGlyph(character), "'\(character)' in '\(text)'") }
        }
        // Unknown characters draw as '?', never as nothing.
        var image = Image(width: 10, height: 10, channels: 3)
        BitmapFont.draw("€", into: &image, x: 0, y: 0, scale: 1)
        #expect(image.pixels.contains { $0 > 0.5 })
    }

    @Test func verticalTextIsTheHorizontalTextTurned() {
        let text = "TRUE 7"
        var flat = Image(width: BitmapFont.width(of: text, scale: 2), height: 10, channels: 3)
        BitmapFont.draw(text, into: &flat, x: 0, y: 0, scale: 2)
        var turned = Image(width: 10, height: flat.width, channels: 3)
        BitmapFont.draw(vertical: text, into: &turned, x: 0, y: 0, scale: 2)
        for y in 0..<flat.height {
            for x in 0..<flat.width { #expect(flat[x, y] == turned[y, flat.width - 1 - x]) }
        }
    }

    @Test func linesWrapAtSpacesWithinTheWidth() {
        let lines = BitmapFont.lines("conv2 OIPs: 52/64 beat the best test digit", width: 100, scale: 2)
        #expect(lines.count > 1)
        #expect(lines.joined(separator: " ") == "conv2 OIPs: 52/64 beat the best test digit")
        for line in lines where line.contains(" ") { #expect(BitmapFont.width(of: line, scale: 2) <= 100, "\(line)") }
    }

    @Test(arguments: ["conv1", "conv2", "dense1"])
    func activationGridNumbersEveryMap(layer: String) throws {
        let input = try DigitInput.Reference("test:3").load(from: repositoryRoot + "/data/mnist").pixels
        let model = try bundledModel()
        let grid = try ActivationGrid.render(
            model: model, input: input, layer: layer, standardize: true, colormap: .jet, inputName: "test:3")
        let index = try model.layerIndex(named: layer)
        let shape = model.outputShape(ofLayer: index)
        let layout = ActivationGrid.Layout(shape: shape)
        #expect(grid.width == layout.width && grid.height == layout.height)
        for m in 0..<shape.channels {
            let (x, y) = layout.origin(of: m)
            #expect(
                textIsDrawn(
                    String(m), in: grid, x: x, y: y - ActivationGrid.labelHeight + 1, scale: 2, ink: (0.9, 0.9, 0.9)),
                "map \(m) of \(layer)")
        }
        #expect(textIsDrawn("INPUT", in: grid, x: 3, y: layout.top + 2, scale: 2, ink: (0.9, 0.9, 0.9)))
        #expect(textIsDrawn(layer.uppercased() + " ON TEST:3", in: grid, x: 4, y: 5, scale: 2, ink: (1, 1, 1)))
    }

    @Test func confusionHeatmapHasAxisTitlesAndLegibleCounts() {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for d in 0..<10 {
            confusion[d][d] = 1000 + 13 * d
            confusion[d][(d + 3) % 10] = d
        }
        let cell = 44
        let image = ConfusionHeatmap.draw(confusion, cell: cell)
        let black: (Float, Float, Float) = (0, 0, 0)
        // "predicted" centred over the columns at the top; "true" turned, along the rows.
        let left = image.width - 4 - 10 * cell, top = image.height - 4 - 10 * cell
        #expect(
            textIsDrawn(
                "PREDICTED", in: image, x: left + 5 * cell - BitmapFont.width(of: "PREDICTED", scale: 2) / 2, y: 4,
                scale: 2, ink: black))
        let titleInk = inkCount(image, x: 0..<16, y: top..<(top + 10 * cell), differingFrom: 1)
        var trueTitle = Image(width: 10, height: BitmapFont.width(of: "TRUE", scale: 2), channels: 3, value: 1)
        BitmapFont.draw(vertical: "TRUE", into: &trueTitle, x: 0, y: 0, scale: 2, color: black)
        #expect(titleInk == inkCount(trueTitle, x: 0..<10, y: 0..<trueTitle.height, differingFrom: 1))
        // Every count at scale 2, centred in its cell, in ink that contrasts with the cell.
        for row in 0..<10 {
            for column in 0..<10 {
                let text = String(confusion[row][column])
                let x0 = left + column * cell, y0 = top + row * cell
                let ink: (Float, Float, Float) =
                    (image[x0 + 1, y0 + 1, 0] * 0.299 + image[x0 + 1, y0 + 1, 1] * 0.587
                        + image[x0 + 1, y0 + 1, 2] * 0.114) > 0.5 ? (0, 0, 0) : (1, 1, 1)
                #expect(
                    textIsDrawn(
                        text, in: image, x: x0 + (cell - 1) / 2 - BitmapFont.width(of: text, scale: 2) / 2,
                        y: y0 + (cell - 1 - 10) / 2, scale: 2, ink: ink), "count \(text) at \(row),\(column)")
            }
        }
    }
}
