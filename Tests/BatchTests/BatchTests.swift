import Dreaming
import FileSupport
import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

@testable import Batch

@Suite(.tags(.slow), .skippedByFastRuns) struct BatchTests {
    /// A folder of three small photos (one in a subfolder), and two quick presets.
    func fixture() throws -> (images: String, presets: String, out: String) {
        let root = try temporaryFolder()
        let images = root + "/images", presets = root + "/presets"
        try FileManager.default.createDirectory(atPath: images + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: presets, withIntermediateDirectories: true)
        try syntheticPhoto(width: 64, height: 48).write(to: images + "/a.png")
        try syntheticPhoto(width: 56, height: 56, channels: 1).write(to: images + "/b.jpg")
        try syntheticPhoto(width: 60, height: 40).write(to: images + "/sub/c.png")
        try #"{"description": "quick ghost", "mode": "downscale", "steps": 3, "loops": 2}"#
            .write(toFile: presets + "/quick.json", atomically: true, encoding: .utf8)
        try
            #"{"description": "quick tiles", "mode": "tiles", "maps": [], "layers": {"conv2": 1}, "steps": 2, "range": "clip"}"#
            .write(toFile: presets + "/tiny-tiles.json", atomically: true, encoding: .utf8)
        return (images, presets, root + "/out")
    }

    func plan(_ f: (images: String, presets: String, out: String), recursive: Bool = true) throws -> BatchPlan {
        let library = PresetLibrary(directories: [f.presets])
        let names = library.names()
        return BatchPlan(
            images: try BatchPlan.images(in: [f.images], recursive: recursive),
            presets: names.map { n in Result { () throws(DreamError) in try library.load(n) } }, presetNames: names)
    }

    let renderer = BatchRenderer { try bundledModel() }

    /// Temporaries (and anything else hidden) in a folder.
    func hiddenFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
    }

    /// The id of a process that has exited.
    func deadProcess() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func outputs(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted()
    }

    @Test func rendersEverythingThenNothingThenOnlyWhatWasDeleted() throws {
        let f = try fixture()
        let plan = try plan(f)
        #expect(plan.jobs.count == 6)
        var options = BatchRenderer.Options(folder: f.out)
        let first = try renderer.run(plan, options: options)
        #expect(first.rendered.count == 6 && first.failedCount == 0)
        #expect(
            try outputs(f.out) == [
                "a-quick.png", "a-tiny-tiles.png", "b-quick.png", "b-tiny-tiles.png",
                "sub_c-quick.png", "sub_c-tiny-tiles.png",
            ])
        let manifest = try #require(BatchManifest.read(f.out + "/manifest.json"))
        #expect(manifest.renders.count == 6)
        #expect(manifest.renders.allSatisfy { $0.seconds > 0 && $0.seed == $0.settings.seed })
        #expect(
            Set(manifest.renders.map(\.input)) == [f.images + "/a.png", f.images + "/b.jpg", f.images + "/sub/c.png"])

        let second = try renderer.run(plan, options: options)
        #expect(second.rendered.isEmpty && second.skipped.count == 6)
        #expect(BatchManifest.read(f.out + "/manifest.json") == manifest, "skipped renders keep their entries")

        try FileManager.default.removeItem(atPath: f.out + "/b-quick.png")
        let third = try renderer.run(plan, options: options)
        #expect(third.rendered.map(\.outputName) == ["b-quick.png"] && third.skipped.count == 5)

        // A changed preset makes its outputs stale; --force renders everything again.
        options.force = true
        #expect(try renderer.run(plan, options: options).rendered.count == 6)
    }

    @Test func corruptInputIsReportedAndTheRestRender() throws {
        let f = try fixture()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: f.images + "/broken.png"))
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).write(to: URL(fileURLWithPath: f.images + "/truncated.jpg"))
        let report = try renderer.run(try plan(f), options: .init(folder: f.out))
        #expect(report.rendered.count == 6)
        #expect(report.failed.count == 4)
        #expect(report.failed.allSatisfy { $0.error.contains("broken.png") || $0.error.contains("truncated.jpg") })
        let manifest = try #require(BatchManifest.read(f.out + "/manifest.json"))
        #expect(manifest.failures.count == 4)
        #expect(!FileManager.default.fileExists(atPath: f.out + "/broken-quick.png"))
    }

    @Test func badPresetIsReportedAndTheOthersRun() throws {
        let f = try fixture()
        try #"{"stepz": 3}"#.write(toFile: f.presets + "/broken.json", atomically: true, encoding: .utf8)
        let plan = try plan(f)
        #expect(plan.presetFailures.count == 1 && plan.presetFailures[0].error.contains("did you mean 'steps'"))
        let report = try renderer.run(plan, options: .init(folder: f.out))
        #expect(report.rendered.count == 6 && report.failedCount == 1)
    }

    @Test func interruptedRunLeavesNoPartialFileAndResumes() throws {
        let f = try fixture()
        let plan = try plan(f)
        var options = BatchRenderer.Options(folder: f.out)
        options.jobs = 1
        var rendered = 0
        let report = try renderer.run(
            plan, options: options,
            progress: { event, _, _ in
                if case .rendered = event { rendered += 1 }
            }, shouldStop: { rendered >= 2 })
        #expect(report.interrupted && report.rendered.count == 2)
        #expect(try hiddenFiles(f.out).isEmpty)
        // A temporary left by a writer that died is cleared; the rest renders.
        let stale = Files.temporaryPath(for: f.out + "/a-quick.png", process: try deadProcess())
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
        let resumed = try renderer.run(plan, options: options)
        #expect(resumed.rendered.count == 4 && resumed.skipped.count == 2)
        #expect(try hiddenFiles(f.out).isEmpty)
    }

    @Test func killedProcessLeavesOnlyCompleteOutputs() throws {
        // The real binary, killed with SIGKILL while it renders.
        let binary = URL(fileURLWithPath: try dreamBinary())
        let f = try fixture()
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "batch", f.images, "--recursive", "--presets", f.presets, "--out", f.out, "--jobs", "1", "-q",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill as soon as the first output lands.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? outputs(f.out).isEmpty) ?? true, process.isRunning { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        for name in try outputs(f.out) {
            #expect((try? Image(contentsOf: f.out + "/" + name)) != nil, "\(name) is complete")
        }
        let resumed = try renderer.run(try plan(f), options: .init(folder: f.out))
        #expect(resumed.rendered.count + resumed.skipped.count == 6 && resumed.failedCount == 0)
        #expect(try hiddenFiles(f.out).isEmpty)
    }

    @Test func twoShardsAndMergeEqualOneRun() throws {
        let f = try fixture()
        let plan = try plan(f)
        let single = f.out + "-single"
        _ = try renderer.run(plan, options: .init(folder: single))
        for k in 1...2 {
            var options = BatchRenderer.Options(folder: f.out)
            options.shard = (k, 2)
            let report = try renderer.run(plan.shard(k, of: 2), options: options)
            #expect(report.rendered.count == 3)
            #expect(FileManager.default.fileExists(atPath: f.out + "/" + BatchManifest.shardFileName(k, of: 2)))
        }
        #expect(
            Set(plan.shard(1, of: 2).jobs.map(\.outputName)).isDisjoint(
                with: plan.shard(2, of: 2).jobs.map(\.outputName)))
        let merged = try BatchRenderer.merge(folder: f.out)
        let reference = try #require(BatchManifest.read(single + "/manifest.json"))
        func withoutTimes(_ m: BatchManifest) -> BatchManifest {
            var copy = m
            copy.renders = m.renders.map {
                var r = $0; r.seconds = 0; return r
            }
            return copy
        }
        #expect(withoutTimes(merged) == withoutTimes(reference))
        for name in try outputs(single) {
            #expect(
                FileManager.default.contents(atPath: f.out + "/" + name)
                    == FileManager.default.contents(atPath: single + "/" + name), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: f.out + "/index.html"))
    }

    @Test func galleryIsSelfContained() throws {
        let f = try fixture()
        _ = try renderer.run(try plan(f), options: .init(folder: f.out))
        let html = try String(contentsOfFile: f.out + "/index.html", encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(
            html.components(separatedBy: "data:image/jpeg;base64,").count - 1 == 12,
            "6 renders, shown by preset and by image")
        #expect(html.contains("href=\"a-quick.png\"") && html.contains("By preset") && html.contains("By image"))
        #expect(html.contains("&quot;steps&quot;"), "settings on hover")
    }

    @Test func embeddedSettingsReproduceARender() throws {
        let f = try fixture()
        _ = try renderer.run(try plan(f), options: .init(folder: f.out))
        let settings = try FileRenderer.settings(fromRender: f.out + "/a-tiny-tiles.png")
        let again = f.out + "/again.png"
        _ = try FileRenderer(model: try bundledModel()).render(
            .init(input: f.images + "/a.png", output: again, settings: settings))
        #expect(
            FileManager.default.contents(atPath: again)
                == FileManager.default.contents(atPath: f.out + "/a-tiny-tiles.png"))
    }
}
