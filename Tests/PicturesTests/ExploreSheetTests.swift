import Dreaming
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Pictures

/// The explorer's sheet: one labelled cell per map, each showing that map's dream.
@Suite struct ExploreSheetTests {
    @Test func oneLabelledCellPerMap() throws {
        let photo = syntheticPhoto(width: 300, height: 200)
        var settings = try PresetLibrary().load("ghost").settings
        settings.steps = 5
        settings.loops = 2
        let maps = Array(0..<10)
        let sheet = try ExploreSheet.make(
            photo: photo, model: try bundledModel(), settings: settings, layer: "conv2", maps: maps, cellSize: 60,
            columns: 4, title: "conv2 test")
        #expect(sheet.cells.count == 10 && sheet.manifest.maps.map(\.map) == maps)
        #expect(sheet.manifest.cellWidth == 60 && sheet.manifest.cellHeight == 40)
        #expect(Set(sheet.manifest.ranking) == Set(maps))
        let objectives = sheet.manifest.ranking.map { map in sheet.cells.first { $0.map == map }!.objective }
        #expect(objectives == objectives.sorted(by: >))
        let layout = sheet.layout
        #expect(layout.columns == 4 && layout.rows == 3)
        #expect(sheet.image.width == layout.width && sheet.image.height == layout.height)
        #expect(textIsDrawn("CONV2 TEST", in: sheet.image, x: 8, y: 6, scale: 2, ink: (1, 1, 1)))
        for (i, cell) in sheet.cells.enumerated() {
            let (x0, y0) = layout.origin(of: i)
            // The map on the left of the label line, its objective on the right (or on a
            // second line when both do not fit).
            let top = y0 - layout.labelHeight + 1
            let score = ExploreSheet.scoreText(cell.objective)
            #expect(
                textIsDrawn(String(cell.map), in: sheet.image, x: x0 + 1, y: top, scale: 2, ink: (0.92, 0.92, 0.92)))
            #expect(
                textIsDrawn(
                    score, in: sheet.image, x: x0 + 60 - BitmapFont.width(of: score, scale: 2) - 1,
                    y: top + (layout.labelLines - 1) * 13, scale: 2, ink: (0.92, 0.92, 0.92)),
                "score \(score) of map \(cell.map)")
            // The picture is the cell's dream, pixel for pixel.
            for (x, y) in [(0, 0), (30, 20), (59, 39)] {
                for c in 0..<3 {
                    let source = cell.image.colorChannels >= 3 ? c : 0
                    #expect(abs(sheet.image[x0 + x, y0 + y, c] - cell.image[x, y, source]) < 1e-6)
                }
            }
        }
        // The manifest a script reads.
        let json = try JSONSerialization.jsonObject(with: Data(sheet.manifestJSON())) as! [String: Any]
        #expect(json["layer"] as? String == "conv2" && (json["maps"] as! [[String: Any]]).count == 10)
        #expect(((json["settings"] as! [String: Any])["maps"] as! [Int]).count == 1)
    }

    @Test func photosShrinkToCellSizeButNeverGrow() {
        #expect(ExploreSheet.cellPhoto(syntheticPhoto(width: 640, height: 427), cellSize: 128).width == 128)
        #expect(ExploreSheet.cellPhoto(syntheticPhoto(width: 640, height: 427), cellSize: 128).height == 85)
        #expect(ExploreSheet.cellPhoto(syntheticPhoto(width: 90, height: 120), cellSize: 128).width == 90)
    }
}
