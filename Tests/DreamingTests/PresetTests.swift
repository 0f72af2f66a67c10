import FileSupport
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Dreaming

@Suite struct PresetTests {
    let library = PresetLibrary(directories: [repositoryRoot + "/presets"])

    @Test func everyShippedPresetLoadsAndFitsTheModel() throws {
        let names = library.names()
        #expect(names.count >= 6)
        #expect(names.contains("ghost"))
        let modes = Set(try names.map { try library.load($0).settings.mode })
        #expect(modes == Set(DreamSettings.Mode.allCases))
        let renderer = DreamRenderer(model: try bundledModel())
        for name in names {
            let preset = try library.load(name)
            #expect(!preset.settings.description.isEmpty, "\(name) has a description")
            try renderer.validate(preset.settings, width: 640, height: 427)
        }
    }

    @Test func ghostIsTheSeedRecipe() throws {
        let ghost = try library.load("ghost").settings
        #expect(ghost.mode == .downscale && ghost.layer == "conv3" && ghost.maps == [56] && ghost.loops == 4)
    }

    func expectPresetError(_ json: String, key: String, containing text: String) throws {
        let folder = try temporaryFolder()
        let path = folder + "/bad.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try bundledModel()
        do {
            let preset = try PresetLibrary().load(path)
            try DreamRenderer(model: model).validate(preset.settings, width: 640, height: 427)
            Issue.record("\(json) was accepted")
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.contains(key), "\(message) names \(key)")
            #expect(message.contains(text), "\(message) says \(text)")
            if case .presetInvalid(let file, _, _) = error { #expect(file == path) }
        }
    }

    @Test func aKeyWithControlCharactersStaysOnOneLine() throws {
        // Found by fuzz-preset: "descripti\n" (an escaped newline in a key) printed the
        // error over two lines.
        let path = try temporaryFolder() + "/bad.json"
        try #"{"descripti\n": "x", "a\tb\u001b": 1}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DreamError.self) { try Preset(contentsOf: path) }
        do {
            _ = try Preset(contentsOf: path)
        } catch {
            let message = error.errorDescription ?? ""
            #expect(!message.contains("\n") && !message.contains("\t") && !message.contains("\u{1B}"), "\(message)")
            #expect(message.hasPrefix(path + ": key '"), "\(message)")
            #expect(
                message.contains(#"key 'a\tb\u{1B}'"#) || message.contains(#"key 'descripti\n'"#), "\(message)")
        }
    }

    @Test func badPresetsSayFileKeyAndProblem() throws {
        try expectPresetError(#"{"setps": 10}"#, key: "setps", containing: "did you mean 'steps'")
        try expectPresetError(#"{"steps": "ten"}"#, key: "steps", containing: "expected an integer")
        try expectPresetError(#"{"maps": [1, "x"]}"#, key: "maps[1]", containing: "expected an integer")
        try expectPresetError(#"{"mode": "sideways"}"#, key: "mode", containing: "not one of the allowed values")
        try expectPresetError(#"{"octaves": 40}"#, key: "octaves", containing: "1...12")
        try expectPresetError(#"{"stepSize": -1}"#, key: "stepSize", containing: "0...1")
        try expectPresetError(#"{"steps": 10"#, key: "(file)", containing: "not valid JSON")
        try expectPresetError(#"[1, 2]"#, key: "(file)", containing: "JSON object")
        try expectPresetError(#"{"version": 9}"#, key: "version", containing: "newer")
        // Errors found against the model name the setting.
        try expectPresetError(#"{"maps": [200]}"#, key: "map 200", containing: "0...127")
        try expectPresetError(#"{"layer": "conv9"}"#, key: "layer", containing: "conv9")
        try expectPresetError(#"{"maps": [], "classIndex": 12}"#, key: "class 12", containing: "0...9")
        try expectPresetError(#"{"mode": "conv", "maps": [], "classIndex": 3}"#, key: "dense2", containing: "28x28")
        try expectPresetError(
            #"{"mode": "tiles", "octaves": 6, "octaveScale": 2}"#, key: "octave 1", containing: "fewer octaves")
    }

    @Test func unknownPresetNamesTheAvailableOnes() {
        do {
            _ = try library.load("nope")
            Issue.record("loaded")
        } catch {
            #expect(error.errorDescription!.contains("ghost"))
        }
    }

    @Test func presetOverlaysOnlyItsKeys() throws {
        let folder = try temporaryFolder()
        try #"{"steps": 3}"#.write(toFile: folder + "/p.json", atomically: true, encoding: .utf8)
        var base = DreamSettings()
        base.stepSize = 0.123
        let settings = try Preset(contentsOf: folder + "/p.json", base: base).settings
        #expect(settings.steps == 3 && settings.stepSize == 0.123)
    }

    @Test func renderEmbedsSettingsForFrom() throws {
        let folder = try temporaryFolder()
        try syntheticPhoto().write(to: folder + "/in.jpg")
        var settings = try library.load("ghost").settings
        settings.steps = 2
        settings.maps = [3, 9]
        _ = try FileRenderer(model: try bundledModel()).render(
            .init(input: folder + "/in.jpg", output: folder + "/out.png", settings: settings))
        #expect(try FileRenderer.settings(fromRender: folder + "/out.png") == settings)
        // A JPEG cannot hold settings; a PNG without them says so.
        #expect(throws: ImagingError.self) { try FileRenderer.settings(fromRender: folder + "/in.jpg") }
        try syntheticPhoto().write(to: folder + "/plain.png")
        #expect(throws: DreamError.self) { try FileRenderer.settings(fromRender: folder + "/plain.png") }
    }

    @Test func renderNeverOverwritesItsInput() throws {
        let folder = try temporaryFolder()
        try syntheticPhoto().write(to: folder + "/in.png")
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/in.png"))
        #expect(throws: FileError.wouldOverwriteInput(path: folder + "/in.png")) {
            _ = try FileRenderer(model: try bundledModel()).render(
                .init(input: folder + "/in.png", output: folder + "/in.png", settings: DreamSettings()))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/in.png")) == before)
    }
}
