import Foundation
import Imaging
import TestSupport
import Testing

/// What a new user runs into first: saving a preset, combining flags, a dream that
/// cannot move, an output that cannot be written, names and descriptions that must not lie.
@Suite struct FirstUseTests {
    let photo = "samples/flower.jpg"

    @Test func aShownPresetIsAPresetFile() throws {
        let folder = try temporaryFolder()
        for name in ["ghost", "tiles", "mixed"] {
            let shown = try runDream(["presets", "show", name])
            #expect(shown.status == 0, "\(shown.error)")
            #expect(shown.output.hasPrefix("{"), "stdout holds only JSON: \(shown.output.prefix(40))")
            try shown.output.write(toFile: folder + "/\(name).json", atomically: true, encoding: .utf8)
            let again = try runDream(["presets", "show", folder + "/\(name).json"])
            #expect(again.status == 0, "\(again.error)")
            #expect(again.output == shown.output, "\(name): saved and reloaded settings differ")
        }
    }

    @Test func fromAndPresetTogetherAreRefusedBeforeWork() throws {
        let run = try runDream(["--from", "x.png", "--preset", "tiles", photo])
        #expect(run.status != 0)
        #expect(run.error.contains("give --from or --preset, not both"), "\(run.error)")
    }

    @Test func negativeNumbersReachTheRangeCheck() throws {
        let map = try runDream(["--map", "-1", photo])
        #expect(map.status != 0)
        #expect(map.error.contains("--map: must be in 0...4095, not -1"), "\(map.error)")
        #expect(!map.error.contains("Missing value"))
        let steps = try runDream(["--steps", "-3", photo])
        #expect(steps.error.contains("--steps: must be in 0...10000, not -3"), "\(steps.error)")
    }

    @Test func aDreamThatCannotMoveSaysWhy() throws {
        let folder = try temporaryFolder()
        // Map 3 of pool1 is silent on the dahlia: after conv1's ReLU every value it pools is
        // zero, so there is no gradient. The control (map 3 of conv1, pre-activation) moves.
        let flat = try runDream(["--layer", "pool1", "--map", "3", photo, "-o", folder + "/flat.png"])
        #expect(flat.status == 1)
        #expect(flat.error.contains("has no gradient on this photo"), "\(flat.error)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/flat.png"), "no copy of the input is written")
        let moving = try runDream(["--layer", "conv1", "--map", "3", photo, "-o", folder + "/moving.png"])
        #expect(moving.status == 0, "\(moving.error)")
    }

    @Test func anUnwritableOutputIsNoticedBeforeRendering() throws {
        let folder = try temporaryFolder()
        let locked = folder + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        // Root may write anywhere: run the binary as nobody against a root-owned folder;
        // any other user gets a folder without write permission.
        var arguments = ["--preset", "tiles", "--steps", "400", photo, "-o", locked + "/x.png"]
        var executable = try dreamBinary()
        if getuid() == 0 {
            #expect(chmod(folder, 0o755) == 0)
            #expect(chmod(locked, 0o755) == 0)
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + arguments
            executable = "/usr/bin/setpriv"
        } else {
            #expect(chmod(locked, 0o555) == 0)
        }
        let start = Date()
        let run = try runProcess(executable, arguments, in: repositoryRoot)
        let seconds = Date().timeIntervalSince(start)
        #expect(run.status == 1)
        #expect(run.error.contains("\(locked)/x.png"), "\(run.error)")
        #expect(run.error.contains("not writable"), "\(run.error)")
        // 400 tile steps per octave would take many seconds: the refusal comes first.
        #expect(seconds < 5, "took \(seconds) s: the render ran before the check")
    }

    @Test func fromNamesOutputsAfterThePresetAndDescriptionsFollowOverrides() throws {
        let folder = try temporaryFolder()
        let first = try runDream(["--preset", "ghost", "--map", "77", "--steps", "2", photo, "-o", folder + "/"])
        #expect(first.status == 0, "\(first.error)")
        let render = folder + "/flower-ghost-m77.png"
        #expect(FileManager.default.fileExists(atPath: render), "\(first.output)")
        let settings = try readPNGText(at: render, key: "dream:settings") ?? ""
        #expect(settings.contains("changed: --map 77 --steps 2"), "the stored description says what changed")
        let again = try runDream(["--from", render, "samples/chelsea.png", "-o", folder + "/"])
        #expect(again.status == 0, "\(again.error)")
        #expect(
            FileManager.default.fileExists(atPath: folder + "/chelsea-ghost-m77.png"),
            "named after the stored preset, not the render's file name: \(again.output)")
    }
}
