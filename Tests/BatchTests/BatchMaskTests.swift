import Dreaming
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Batch

/// `dream batch --masks DIR`: image NAME takes DIR/NAME.png; a changed mask re-renders.
@Suite struct BatchMaskTests {
    @Test func masksByNameMissingOnesNotedChangedOnesRerendered() throws {
        let root = try temporaryFolder()
        let images = root + "/images", masks = root + "/masks", presets = root + "/presets", out = root + "/out"
        for folder in [images, masks, presets] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try syntheticPhoto(width: 64, height: 48).write(to: images + "/a.png")
        try syntheticPhoto(width: 56, height: 56).write(to: images + "/b.png")
        // a's mask: its left half black (given at half size: resized to the photo).
        var mask = Image(width: 32, height: 24, value: 1)
        for y in 0..<24 { for x in 0..<14 { mask[x, y] = 0 } }
        try mask.write(to: masks + "/a.png")
        try #"{"description": "quick ghost", "mode": "downscale", "steps": 3, "loops": 2}"#
            .write(toFile: presets + "/quick.json", atomically: true, encoding: .utf8)
        let library = PresetLibrary(directories: [presets])
        func plan() throws -> BatchPlan {
            try BatchPlan(
                images: try BatchPlan.images(in: [images], recursive: false),
                presets: [.success(try library.load("quick"))], presetNames: ["quick"], masks: masks)
        }
        let renderer = BatchRenderer { try bundledModel() }
        let options = BatchRenderer.Options(folder: out)

        let first = try renderer.run(try plan(), options: options)
        #expect(first.rendered.count == 2 && first.failedCount == 0)
        let manifest = try #require(try BatchManifest.read(out + "/manifest.json"))
        let a = try #require(manifest.renders.first { $0.output == "a-quick.png" })
        let b = try #require(manifest.renders.first { $0.output == "b-quick.png" })
        #expect(a.mask == masks + "/a.png" && a.maskFingerprint != nil && a.note == nil)
        #expect(b.mask == nil && b.maskFingerprint == nil && b.note == "no mask \(masks)/b.png: dreamed whole")
        // The mask took effect: a's left columns are the photo's, b was dreamed everywhere.
        let photo = try Image(contentsOf: images + "/a.png"), rendered = try Image(contentsOf: out + "/a-quick.png")
        for c in 0..<3 { for y in 0..<48 { for x in 0..<24 { #expect(rendered[x, y, c] == photo[x, y, c]) } } }
        #expect(maxDifference(rendered, photo) > 0.05)

        // Unchanged: skipped. A changed mask (same name): a renders again, b stays.
        #expect(try renderer.run(try plan(), options: options).skipped.count == 2)
        mask[20, 10] = 0
        try mask.write(to: masks + "/a.png")
        let third = try renderer.run(try plan(), options: options)
        #expect(third.rendered.map(\.output) == ["a-quick.png"] && third.skipped.count == 1)
        // A mask added for b renders b again; removed from a, a renders again unmasked.
        try FileManager.default.moveItem(atPath: masks + "/a.png", toPath: masks + "/b.png")
        let fourth = try renderer.run(try plan(), options: options)
        #expect(fourth.rendered.map(\.output) == ["a-quick.png", "b-quick.png"])
        let last = try #require(try BatchManifest.read(out + "/manifest.json"))
        #expect(last.renders.first { $0.output == "a-quick.png" }?.note != nil)
        #expect(last.renders.first { $0.output == "b-quick.png" }?.mask == masks + "/b.png")
    }

    @Test func unreadableMaskFailsItsImageWithOneLine() throws {
        let root = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: root + "/masks", withIntermediateDirectories: true)
        try syntheticPhoto(width: 40, height: 36).write(to: root + "/a.png")
        try Data("junk".utf8).write(to: URL(fileURLWithPath: root + "/masks/a.png"))
        try #"{"steps": 2, "loops": 1}"#.write(toFile: root + "/p.json", atomically: true, encoding: .utf8)
        let preset = try Preset(contentsOf: root + "/p.json")
        let plan = try BatchPlan(
            images: [(root + "/a.png", "a")], presets: [.success(preset)], presetNames: ["p"], masks: root + "/masks")
        let report = try BatchRenderer { try bundledModel() }.run(plan, options: .init(folder: root + "/out"))
        let error = try #require(report.failed.first?.error)
        #expect(error.contains(root + "/masks/a.png: cannot use it as a mask") && !error.contains("\n"), "\(error)")
    }
}
