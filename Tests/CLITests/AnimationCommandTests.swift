import Animation
import Foundation
import Imaging
import TestSupport
import Testing

/// `dream zoom` and `--frames-every`/`--animate` through the real binary.
@Suite(.serialized) struct AnimationCommandTests {
    let small = ["--width", "48", "--steps", "1", "-q"]

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func zoomWritesFramesAndAnimationAndContinues() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gif = folder + "/z.gif"
        var run = try runDream(["zoom", "samples/flower.jpg", "--frames", "4", "-o", gif] + small)
        #expect(run.status == 0, "\(run.error)")
        let probe = try AnimationProbe.read(gif)
        #expect(probe.frames == 4 && probe.width == 48 && probe.height == 32)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder + "/z-frames").sorted()
                == (1...4).map { String(format: "frame-%04d.png", $0) })
        let webp = folder + "/z.webp"
        run = try runDream([
            "zoom", "samples/flower.jpg", "--frames", "6", "-o", webp, "--frames-dir", folder + "/z-frames", "--width",
            "48", "--steps", "1",
        ])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("4 frames there, continuing"))
        #expect(try AnimationProbe.read(webp).frames == 6)
    }

    @Test func zoomKilledMidRunResumesToTheSameBytes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let args = ["zoom", "samples/flower.jpg", "--frames", "12", "--width", "64", "-q"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try dreamBinary())
        process.arguments = args + ["-o", folder + "/a.webp"]
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: folder + "/a-frames/frame-0002.png") && Date() < deadline {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/a-frames")
        #expect(left.count >= 2 && left.count < 12, "killed after \(left.count) frames")
        #expect(left.allSatisfy { $0.hasPrefix("frame-") || $0.hasPrefix(".") })
        var run = try runDream(args + ["-o", folder + "/a.webp"])
        #expect(run.status == 0, "\(run.error)")
        run = try runDream(args + ["-o", folder + "/b.webp"])
        #expect(run.status == 0, "\(run.error)")
        for n in 1...12 {
            let name = String(format: "frame-%04d.png", n)
            #expect(try bytes(folder + "/a-frames/" + name) == bytes(folder + "/b-frames/" + name), "\(name)")
        }
        #expect(try AnimationProbe.read(folder + "/a.webp").frames == 12)
    }

    @Test func renderFramesEveryAnimatesTheGrowingDream() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try runDream([
            "--preset", "mixed", "--steps", "2", "--loops", "2", "samples/chelsea.png", "-o", folder + "/c.png",
            "--frames-every", "2", "--animate", folder + "/c.gif", "--stages",
        ])
        #expect(run.status == 0, "\(run.error)")
        // Strength-driven steps stop on their own: as many frames in the animation as in
        // the folder, at least one per stage, all at the output's size.
        let written = try FileManager.default.contentsOfDirectory(atPath: folder + "/c-frames").count
        let probe = try AnimationProbe.read(folder + "/c.gif")
        #expect(written >= 2 && probe.frames == written && probe.width == 451 && probe.height == 300)
        #expect(FileManager.default.fileExists(atPath: folder + "/c-stages.png"))
    }

    @Test func mp4WithoutFfmpegSaysSoInOneLine() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try runProcess(
            try dreamBinary(), ["zoom", "samples/flower.jpg", "--frames", "1", "-o", folder + "/z.mp4"] + small,
            in: repositoryRoot, environment: ["PATH": folder])
        #expect(run.status != 0)
        #expect(run.error.contains("ffmpeg") && run.error.contains("z.mp4"))
        #expect(run.error.split(separator: "\n").count == 1, "\(run.error)")
        // Refused before any frame was rendered.
        #expect(!FileManager.default.fileExists(atPath: folder + "/z-frames"))
    }
}
