import Dreaming
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

@Suite(.tags(.slow), .skippedByFastRuns) struct VisualizationTests {
    @Test(arguments: [
        ("conv1", [3, 15]), ("conv2", [1, 30]), ("conv3", [56, 72]), ("dense1", [7]), ("dense2", [4, 9]),
    ])
    func oipSearchRaisesTheTargetMap(layer: String, maps: [Int]) throws {
        let search = try OIPSearch(model: try bundledModel(), layerName: layer)
        var settings = OIPSearch.Settings()
        settings.steps = 40
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

    @Test func contactSheetPutsCellsAndLabelsInTheirPlaces() {
        let sheet = ContactSheet(columns: 3, scale: 2, colormap: .gray)
        let cells = (0..<5).map { i in
            (
                label: String(i * 11),
                image: Image(width: 28, height: 28, pixels: (0..<784).map { Float(($0 + i) % 7) / 6 })
            )
        }
        let image = sheet.render(title: "TEST", cells: cells)
        // The layout written out by hand (gap 4, title 24, label strip 14, 56-pixel cells),
        // not recomputed with the sheet's own formula.
        #expect(image.width == 184 && image.height == 176)
        let corners = [(4, 42), (64, 42), (124, 42), (4, 116), (64, 116)]
        for (i, cell) in cells.enumerated() {
            let (x0, y0) = corners[i]
            #expect(sheet.origin(of: i, patternWidth: 28, patternHeight: 28) == (x0, y0), "origin of cell \(i)")
            // Each cell spans 0...1 and the gray map is the identity ramp: every pixel, seen
            // at two of its enlarged copies, is its own value (to one of 256 bins).
            for py in 0..<28 {
                for px in 0..<28 {
                    let v = cell.image[px, py]
                    for (dx, dy) in [(0, 0), (1, 1)] {
                        let shown = image[x0 + 2 * px + dx, y0 + 2 * py + dy, 0]
                        #expect(abs(shown - v) <= 1.0 / 255 + 1e-6, "cell \(i) pixel \(px),\(py): \(shown) for \(v)")
                    }
                }
            }
            // The label sits in the strip above the picture: some of it is ink.
            var ink = 0
            for y in (y0 - 14)..<y0 { for x in x0..<(x0 + 56) where image[x, y, 0] > 0.5 { ink += 1 } }
            #expect(ink > 10, "label of cell \(i)")
        }
        // An empty grid slot stays background.
        #expect(image[124 + 10, 116 + 10, 0] < 0.1)
        // The title line has ink.
        #expect((0..<100).contains { image[$0, 10, 0] > 0.5 })
    }

    @Test func layerSheetManifestCountsSuccesses() throws {
        let test = try MNISTDataset(directory: repositoryRoot + "/data/mnist", split: .test).prefix(500)
        var settings = OIPSearch.Settings()
        settings.steps = 30
        let result = try LayerSheet.make(
            model: try bundledModel(), layer: "conv1", maps: [0, 1, 2, 3], reference: test,
            settings: settings, sheet: ContactSheet())
        #expect(result.manifest.total == 4 && result.manifest.maps.map(\.map) == [0, 1, 2, 3])
        #expect(result.manifest.succeeded == result.manifest.maps.filter { $0.activation > $0.testMean }.count)
        let json = try JSONSerialization.jsonObject(with: Data(result.manifestJSON())) as! [String: Any]
        #expect(json["layer"] as? String == "conv1")
        let first = (json["maps"] as! [[String: Any]])[0]
        for key in ["map", "activation", "testMean", "testMax", "ratio", "succeeded"] {
            #expect(first[key] != nil, "\(key)")
        }
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
