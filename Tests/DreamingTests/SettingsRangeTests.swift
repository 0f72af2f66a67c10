import FileSupport
import Foundation
import NeuralNet
import TestSupport
import Testing

@testable import Dreaming

/// Every numeric key and flag has one documented range, checked before any work; preset
/// errors name the key, the expected type or the range.
@Suite struct SettingsRangeTests {
    func presetProblem(_ json: String) throws -> String {
        let folder = try temporaryFolder()
        let path = folder + "/p.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try Preset(contentsOf: path)
            return "accepted"
        } catch {
            let message = error.errorDescription ?? ""
            #expect(message.hasPrefix(path + ": "), "\(message)")
            return String(message.dropFirst(path.count + 2))
        }
    }

    @Test func presetErrorsNameTheKeyAndTheTypeOrRange() throws {
        // Each of these was "key '': The given data was not valid JSON." or accepted.
        #expect(try presetProblem(#"{"steps": 20.5}"#) == "key 'steps': expected an integer, found the number 20.5")
        #expect(try presetProblem(#"{"steps": 1e30}"#) == "key 'steps': must be in 0...10000, not 1e30")
        #expect(try presetProblem(#"{"steps": 1000000000}"#) == "key 'steps': must be in 0...10000, not 1000000000")
        #expect(try presetProblem(#"{"loops": 1000000000}"#) == "key 'loops': must be in 1...100, not 1000000000")
        #expect(try presetProblem(#"{"seed": -1}"#) == "key 'seed': must be in 0...18446744073709551615, not -1")
        #expect(try presetProblem(#"{"stepSize": 1e39}"#) == "key 'stepSize': must be in 0...1, not 1e39")
        #expect(
            try presetProblem(#"{"octaveScale": "big"}"#)
                == "key 'octaveScale': expected a number, found the string \"big\"")
        #expect(
            try presetProblem(#"{"layers": {"conv2": 1e9}}"#) == "key 'layers.conv2': must be in -100...100, not 1e9")
        #expect(try presetProblem(#"{"maps": [3, 99999]}"#) == "key 'maps[1]': must be in 0...4095, not 99999")
        #expect(try presetProblem(#"{"invert": 1}"#) == "key 'invert': expected true or false, found the number 1")
        #expect(
            try presetProblem(#"{"tileGrid": "wobbly"}"#).hasPrefix(
                "key 'tileGrid': 'wobbly' is not one of the allowed values (moving, fixed)"))
        #expect(try presetProblem(#"[1, 2]"#) == "key '(file)': expected a JSON object of settings, found a list")
        #expect(
            try presetProblem(#"{"steps": 10"#).hasPrefix(
                "key '(file)': not valid JSON (line 1, column 13: the text ends inside an object)"))
    }

    @Test func duplicateKeysAreRefused() throws {
        #expect(try presetProblem(#"{"steps": 10, "steps": 9999}"#) == "key 'steps': appears twice; keep one")
        #expect(
            try presetProblem(#"{"layers": {"conv2": 1, "conv2": 0.5}}"#)
                == "key 'layers.conv2': appears twice; keep one")
    }

    @Test func nullClearsOptionalKeysAndExtremeSeedsSurvive() throws {
        let folder = try temporaryFolder()
        try #"{"classIndex": null, "lossCap": null, "rangeTarget": null, "seed": 18446744073709551615}"#.write(
            toFile: folder + "/p.json", atomically: true, encoding: .utf8)
        var base = DreamSettings()
        base.lossCap = 3
        let settings = try Preset(contentsOf: folder + "/p.json", base: base).settings
        #expect(settings.lossCap == nil && settings.classIndex == nil && settings.seed == .max)
    }

    /// What a render embeds reads back the same, for every value at a range's edge.
    @Test func embeddedSettingsRoundTripAtTheEdges() throws {
        var settings = DreamSettings()
        settings.seed = .max
        settings.steps = SettingsRanges.steps.upper
        settings.stepSize = 0.0123
        settings.octaveScale = SettingsRanges.octaveScale.lower
        settings.lossCap = -SettingsRanges.lossCap.upper
        settings.layers = ["conv2": SettingsRanges.layerWeight.lower, "conv3": 0.5]
        settings.rangeTarget = SettingsRanges.rangeTarget.upper
        settings.description = "ünï \"quoted\" \\ \n"
        let json = try FileRenderer.settingsJSON(settings)
        #expect(try Preset.decode(Data(json.utf8), path: "x", base: DreamSettings()) == settings)
    }

    @Test func codeBuiltSettingsMeetTheSameRanges() {
        var settings = DreamSettings()
        settings.steps = 1_000_000_000
        settings.maps = [5000]
        settings.layers = ["conv2": .nan]
        let problems = settings.problems()
        #expect(problems.contains { $0.key == "steps" && $0.problem == "must be in 0...10000, not 1000000000" })
        #expect(problems.contains { $0.key == "maps" && $0.problem == "map 5000 must be in 0...4095, not 5000" })
        #expect(
            problems.contains { $0.key == "layers" && $0.problem == "weight of conv2 must be in -100...100, not nan" })
        #expect(DreamSettings().problems().isEmpty)
    }

    /// The README's table is the one the code checks against.
    @Test func readmeListsEveryRange() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        #expect(
            readme.contains(SettingsRanges.markdownTable),
            "README.md needs this table:\n\(SettingsRanges.markdownTable)")
        #expect(readme.contains("## Settings and flags: ranges"))
    }
}
