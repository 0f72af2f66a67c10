import FileSupport
import Foundation
import NeuralNet
import Testing

@testable import DreamEngine

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
        let json = FileRenderer.settingsJSON(settings)
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

extension CommandLineTests {
    @Test func flagsOutOfRangeAreRefusedBeforeAnyWork() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            Issue.record("\(binary) is missing; build before testing")
            return
        }
        let photo = "samples/flower.jpg"
        try expectFailure(
            ["--max-megapixels", "99999999999999", photo],
            saying: "--max-megapixels: must be in 1...1000, not 99999999999999")
        try expectFailure(
            ["train", "--batch", "9999999999999"], saying: "--batch: must be in 1...4096, not 9999999999999")
        try expectFailure(["train", "--lr", "nan"], saying: "--lr: must be in (0, 10], not nan")
        try expectFailure(["train", "--momentum", "1"], saying: "--momentum: must be in [0, 1), not 1")
        try expectFailure(["train", "--epochs", "0"], saying: "--epochs: must be in 1...1000, not 0")
        try expectFailure(
            ["--steps", "1000000000", "-q", photo], saying: "--steps: must be in 0...10000, not 1000000000")
        try expectFailure(["--steps=-3", photo], saying: "--steps: must be in 0...10000, not -3")
        try expectFailure(
            ["--loops", "1000000000", "-q", photo], saying: "--loops: must be in 1...100, not 1000000000")
        try expectFailure(["--step-size", "1e39", photo], saying: "--step-size: must be in 0...1, not inf")
        try expectFailure(["--octave-scale", "1", photo], saying: "--octave-scale: must be in 1.05...4, not 1")
        try expectFailure(["--maps", "1,99999", photo], saying: "--maps: must be in 0...4095, not 99999")
        try expectFailure(
            ["--layers", "conv2=1e9", photo], saying: "--layers conv2: must be in -100...100, not 1000000000")
        try expectFailure(["--jpeg-quality", "0", photo], saying: "--jpeg-quality: must be in 1...100, not 0")
        try expectFailure(["batch", "samples", "--jobs", "0"], saying: "--jobs: must be in 1...64, not 0")
        try expectFailure(["oip", "--map", "1", "--steps", "0"], saying: "--steps: must be in 1...10000, not 0")
        try expectFailure(
            ["oip", "--map", "1", "--noise-scales", "1,99"], saying: "--noise-scales takes lengths 1...28")
        try expectFailure(["sheet", "--scale", "0"], saying: "--scale: must be in 1...32, not 0")
        try expectFailure(["view", photo, "--scale", "1000"], saying: "--scale: must be in 1...64, not 1000")
        try expectFailure(["bench", "--seconds=-1"], saying: "--seconds: must be in 0.1...600, not -1")
        // A preset with a bad value: one line naming the file and the key, exit 1.
        let folder = try temporaryFolder()
        try #"{"steps": 20.5}"#.write(toFile: folder + "/p.json", atomically: true, encoding: .utf8)
        let run = try dream(["--preset", folder + "/p.json", photo, "-o", folder + "/x.png"])
        #expect(run.status == 1 && !run.signaled)
        #expect(run.error.contains("\(folder)/p.json: key 'steps': expected an integer, found the number 20.5"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.png"))
    }
}
