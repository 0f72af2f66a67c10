import Dreaming
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

@Suite(.tags(.slow), .skippedByFastRuns) struct VisualizationTests {
    // conv1 maps 3 and 15 are left out: they barely fire on digits (test max 0.009 and
    // 1.6e-5, the second dead by the sheet's bar) and stay silent on the starting noise.
    @Test(
        arguments: [
            ("conv1", [0, 12]), ("conv2", [1, 30]), ("conv3", [56, 72]), ("dense1", [7]), ("dense2", [4, 9]),
        ], OIPSearch.Settings.Style.allCases)
    func oipSearchRaisesTheTargetMap(target: (layer: String, maps: [Int]), style: OIPSearch.Settings.Style) throws {
        let (layer, maps) = target
        let search = try OIPSearch(model: try bundledModel(), layerName: layer)
        var settings = OIPSearch.Settings()
        settings.steps = 40
        settings.style = style
        // The starting noise's responses: what the search has to beat.
        var generator = SeededGenerator(seed: settings.seed)
        var start: [Float] = []
        for _ in maps { start += OIPSearch.noise(scales: settings.noiseScales, input: search.input, using: &generator) }
        let before = start.withUnsafeBufferPointer { search.responses($0.baseAddress!, batch: maps.count) }
        let patterns = try search.search(maps: maps, settings: settings)
        for (n, pattern) in patterns.enumerated() {
            let initial = before[n * search.mapCount + pattern.map]
            #expect(
                pattern.activation > initial * 1.05 + 1e-6,
                "\(layer) map \(pattern.map): \(initial) -> \(pattern.activation)")
            #expect(pattern.image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixels stay in [0, 1]")
        }
    }

    @Test func badLayersAndMapsAreRefused() throws {
        #expect(throws: DreamError.mapOutOfRange(layer: "conv2", map: 64, count: 64)) {
            try OIPSearch(model: try bundledModel(), layerName: "conv2").checkMaps([0, 64])
        }
        let model = try bundledModel()
        for bad in ["conv9", "pool1", "flatten"] {
            do {
                _ = try OIPSearch(model: model, layerName: bad)
                Issue.record("\(bad) accepted")
            } catch {
                #expect(
                    error.errorDescription!.contains(bad) || error.errorDescription!.contains("no maps"), "\(error)")
            }
        }
        #expect(try parseMapList("0-3,9") == [0, 1, 2, 3, 9])
        #expect(throws: DreamError.self) { try parseMapList("3-1") }
        #expect(throws: DreamError.self) { try parseMapList("a,b") }
    }

    @Test func mnistReferencePicksTheNthImage() throws {
        let directory = repositoryRoot + "/data/mnist"
        let test = try MNISTDataset(directory: directory, split: .test)
        for index in [0, 1302, 9999] {
            let picked = try DigitInput.Reference("test:\(index)").load(from: directory)
            #expect(picked.pixels == test.image(index))
            #expect(picked.label == Int(test.labels[index]))
        }
        #expect(throws: DreamError.self) { try DigitInput.Reference("test:10000").load(from: directory) }
        for bad in ["val:3", "test:-1", "test", "test:x"] {
            #expect(throws: DreamError.self, "\(bad)") { try DigitInput.Reference(bad) }
        }
    }

    @Test func contactSheetPutsCellsLabelsAndMarksInTheirPlaces() {
        let sheet = ContactSheet(columns: 3, scale: 2, colormap: .gray)
        let patterns = (0..<5).map { i in
            Image(width: 28, height: 28, pixels: (0..<784).map { Float(($0 + i) % 7) / 6 })
        }
        let marks: [ContactSheet.Mark] = [.none, .failed, .dead, .none, .none]
        let cells = patterns.enumerated().map { i, pattern in
            ContactSheet.Cell(
                label: String(i * 11), score: marks[i] == .dead ? "DEAD" : "1.5×", image: sheet.patternCell(pattern),
                mark: marks[i])
        }
        let image = sheet.render(title: "TEST", cells: cells)
        let layout = sheet.layout(for: cells, title: "TEST")
        #expect(layout.columns == 3 && layout.rows == 2 && layout.labelLines == 1)
        #expect(image.width == 6 + 3 * (56 + 6) && image.width == layout.width)
        #expect(image.height == layout.height)
        #expect(textIsDrawn("TEST", in: image, x: 8, y: 6, scale: 2, ink: (1, 1, 1)))
        for (i, pattern) in patterns.enumerated() {
            let (x0, y0) = layout.origin(of: i)
            // gray colormap over the cell's own range, enlarged by 2; away from any frame
            for (px, py) in [(4, 12), (20, 8), (13, 5)] {
                let v = pattern[px, py]
                #expect(
                    abs(image[x0 + 2 * px + 1, y0 + 2 * py + 1, 0] - Colormap.gray.color(v).0) < 1e-6,
                    "cell \(i) pixel \(px),\(py)")
            }
            // Map number on the left of the label strip, score on the right, red when marked.
            let top = y0 - layout.labelHeight + 1
            #expect(textIsDrawn(String(i * 11), in: image, x: x0 + 1, y: top, scale: 2, ink: (0.92, 0.92, 0.92)))
            let score = cells[i].score
            let ink: (Float, Float, Float) = marks[i] == .none ? (0.92, 0.92, 0.92) : ContactSheet.red
            #expect(
                textIsDrawn(
                    score, in: image, x: x0 + 56 - BitmapFont.width(of: score, scale: 2) - 1, y: top, scale: 2, ink: ink
                ),
                "score of cell \(i)")
            // Failed and dead cells have a red frame; dead ones a red cross through the middle.
            let red = { (x: Int, y: Int) in image[x, y, 0] > 0.9 && image[x, y, 1] < 0.2 }
            #expect(red(x0, y0 + 30) == (marks[i] != .none) && red(x0 + 55, y0 + 10) == (marks[i] != .none))
            #expect(red(x0 + 28, y0 + 28) == (marks[i] == .dead), "centre of cell \(i)")
        }
        // An empty grid slot stays background.
        let (x5, y5) = layout.origin(of: 5)
        #expect(abs(image[x5 + 10, y5 + 10, 0] - ContactSheet.background) < 1e-6)
    }

    @Test func contactSheetPutsLongScoresOnASecondLine() {
        let sheet = ContactSheet(columns: 2, scale: 2, colormap: .gray)
        let cells = [ContactSheet.Cell(label: "127", score: "12.5×", image: Image(width: 56, height: 56, channels: 3))]
        let layout = sheet.layout(for: cells, title: "A LONG TITLE THAT WRAPS OVER THE NARROW SHEET")
        #expect(layout.labelLines == 2)
        #expect(layout.titleHeight > 2 * BitmapFont.height(scale: 2))
        let image = sheet.render(title: "A LONG TITLE THAT WRAPS OVER THE NARROW SHEET", cells: cells)
        let (x0, y0) = layout.origin(of: 0)
        let top = y0 - layout.labelHeight + 1
        #expect(textIsDrawn("127", in: image, x: x0 + 1, y: top, scale: 2, ink: (0.92, 0.92, 0.92)))
        #expect(
            textIsDrawn(
                "12.5×", in: image, x: x0 + 56 - BitmapFont.width(of: "12.5×", scale: 2) - 1, y: top + 13, scale: 2,
                ink: (0.92, 0.92, 0.92)))
    }

    @Test func npyHeaderIsAlignedAndDataLittleEndian() {
        let bytes = NPYWriter.encode([1, -2.5, 0.25, 3], shape: [2, 2])
        #expect(Array(bytes[0..<6]) == [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("(2, 2)") && header.hasSuffix("\n"))
        let data = Array(bytes[(10 + headerLength)...])
        #expect(data.count == 16)
        #expect(
            Float(bitPattern: UInt32(data[4]) | UInt32(data[5]) << 8 | UInt32(data[6]) << 16 | UInt32(data[7]) << 24)
                == -2.5)
    }

    @Test func activationGridShowsEveryMap() throws {
        let input = try DigitInput.Reference("test:3").load(from: repositoryRoot + "/data/mnist").pixels
        let conv1 = try ActivationGrid.render(
            model: try bundledModel(), input: input, layer: "conv1", standardize: true, colormap: .jet)
        // 32 maps of 26x26 at x3, 8 per row: 4 rows.
        #expect(conv1.height >= 4 * (78 + 3))
        let dense = try ActivationGrid.render(
            model: try bundledModel(), input: input, layer: "dense2", standardize: false, colormap: .jet)
        #expect(dense.width > 8 * 24)
        #expect(throws: DreamError.self) {
            try ActivationGrid.render(
                model: try bundledModel(), input: input, layer: "conv7", standardize: false, colormap: .jet)
        }
    }
}
