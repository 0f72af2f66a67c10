import Foundation
import TestSupport
import Testing

extension CommandLineTests {
    @Test func flagsOutOfRangeAreRefusedBeforeAnyWork() throws {
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
        try expectFailure(["bench", "--seconds=-1"], saying: "--seconds: must be in 0.01...600, not -1")
        // A preset with a bad value: one line naming the file and the key, exit 1.
        let folder = try temporaryFolder()
        try #"{"steps": 20.5}"#.write(toFile: folder + "/p.json", atomically: true, encoding: .utf8)
        let run = try dream(["--preset", folder + "/p.json", photo, "-o", folder + "/x.png"])
        #expect(run.status == 1 && !run.signaled)
        #expect(run.error.contains("\(folder)/p.json: key 'steps': expected an integer, found the number 20.5"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.png"))
    }
}
