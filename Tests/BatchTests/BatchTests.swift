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
        return try BatchPlan(
            images: try BatchPlan.images(in: [f.images], recursive: recursive),
            presets: names.map { n in Result { () throws(DreamError) in try library.load(n) } }, presetNames: names)
    }

    let renderer = BatchRenderer { try bundledModel() }

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
        let manifest = try #require(try BatchManifest.read(f.out + "/manifest.json"))
        #expect(manifest.renders.count == 6)
        #expect(manifest.renders.allSatisfy { $0.seconds > 0 && $0.seed == $0.settings.seed })
        #expect(
            Set(manifest.renders.map(\.input)) == [f.images + "/a.png", f.images + "/b.jpg", f.images + "/sub/c.png"])

        let second = try renderer.run(plan, options: options)
        #expect(second.rendered.isEmpty && second.skipped.count == 6)
        #expect(try BatchManifest.read(f.out + "/manifest.json") == manifest, "skipped renders keep their entries")

        try FileManager.default.removeItem(atPath: f.out + "/b-quick.png")
        let third = try renderer.run(plan, options: options)
        #expect(third.rendered.map(\.output) == ["b-quick.png"] && third.skipped.count == 5)

        // A changed preset makes its outputs stale; --force renders everything again.
        options.force = true
        #expect(try renderer.run(plan, options: options).rendered.count == 6)
    }

    /// Photos in `root` at the given relative paths (folders made as needed).
    func photos(_ names: [String], in root: String) throws {
        for name in names {
            let path = root + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try syntheticPhoto(width: 40 + 4 * names.firstIndex(of: name)!, height: 36).write(to: path)
        }
    }

    @Test func namesKeepWhatTellsInputsApart() throws {
        let root = try temporaryFolder()
        try photos(["one/photo.png", "one/photo.jpg", "one/solo.png", "a/x/shot.jpg", "b/x/shot.jpg"], in: root)
        let found = try BatchPlan.images(in: [root + "/one", root + "/a/x", root + "/b/x"], recursive: false)
        #expect(
            found.map(\.name) == ["a_x_shot.jpg", "b_x_shot.jpg", "photo.jpg", "photo.png", "solo"],
            "extensions for one folder, enclosing folders until names differ; simple names unchanged")
        #expect(
            found.map(\.path) == [
                root + "/a/x/shot.jpg", root + "/b/x/shot.jpg", root + "/one/photo.jpg", root + "/one/photo.png",
                root + "/one/solo.png",
            ])
        // The same file through its folder and by name, or twice, is one photo.
        let again = try BatchPlan.images(
            in: [root + "/one", root + "/one/solo.png", root + "/./one/solo.png"], recursive: false)
        #expect(again.map(\.name) == ["photo.jpg", "photo.png", "solo"])
        // Recursive names keep their subfolder; a collision there keeps the extension.
        try photos(["deep/sub/c.png", "deep/sub/c.jpg", "deep/c.png"], in: root)
        #expect(
            try BatchPlan.images(in: [root + "/deep"], recursive: true).map(\.name) == ["c", "sub_c.jpg", "sub_c.png"])
    }

    @Test func photosThatCannotBeToldApartAreRefusedBeforeRendering() throws {
        let root = try temporaryFolder()
        // Names that differ only by case would overwrite each other on macOS.
        try photos(["Shot.png", "shot.png"], in: root)
        #expect(
            throws: BatchError.outputCollision(
                first: root + "/Shot.png", second: root + "/shot.png", output: "Shot-PRESET.png")
        ) { try BatchPlan.images(in: [root], recursive: false) }
        // A photo name with a dash meets a preset name with a dash: the plan refuses both.
        let library = PresetLibrary(directories: [try fixture().presets])
        let quick = try library.load("quick"), tiles = try library.load("tiny-tiles")
        var renamed = quick
        renamed.name = "tiles"
        #expect(throws: BatchError.outputCollision(first: "x.png", second: "x-tiny.png", output: "x-tiny-tiles.png")) {
            try BatchPlan(
                images: [("x.png", "x"), ("x-tiny.png", "x-tiny")], presets: [.success(tiles), .success(renamed)],
                presetNames: ["tiny-tiles", "tiles"])
        }
        let message = BatchError.outputCollision(first: "a/x.png", second: "b/x.png", output: "x-ghost.png")
            .errorDescription!
        #expect(
            message
                == "a/x.png and b/x.png would both write x-ghost.png; rename one of them or render them into different folders"
        )
    }

    @Test func renderOfSeveralPhotosNamesOutputsApart() throws {
        let settings = try PresetLibrary().load("ghost").settings
        let outputs = try BatchNaming.renderOutputs(
            files: ["a/x.png", "a/x.jpg", "b/x.jpg", "c/y.png", "c/./y.png"], preset: "ghost", settings: settings)
        #expect(outputs.map(\.input) == ["a/x.png", "a/x.jpg", "b/x.jpg", "c/y.png"])
        #expect(
            outputs.map(\.output) == [
                "x.png-ghost-m56.png", "a_x.jpg-ghost-m56.png", "b_x.jpg-ghost-m56.png", "y-ghost-m56.png",
            ])
        #expect(
            try BatchNaming.renderOutputs(files: ["photo.jpg"], preset: "ghost", settings: settings).map(\.output) == [
                "photo-ghost-m56.png"
            ])
    }

    @Test func sameStemInOneFolderRendersBothAndResumesBoth() throws {
        let f = try fixture()
        try syntheticPhoto(width: 50, height: 40).write(to: f.images + "/a.jpg")
        let plan = try plan(f, recursive: false)
        #expect(Set(plan.jobs.map(\.outputName)).count == plan.jobs.count)
        let first = try renderer.run(plan, options: .init(folder: f.out))
        #expect(first.rendered.count == 6 && first.failedCount == 0)
        #expect(
            try outputs(f.out).filter { $0.hasPrefix("a.") } == [
                "a.jpg-quick.png", "a.jpg-tiny-tiles.png", "a.png-quick.png", "a.png-tiny-tiles.png",
            ])
        let second = try renderer.run(plan, options: .init(folder: f.out))
        #expect(second.rendered.isEmpty && second.skipped.count == 6)
    }

    @Test func laterBatchOverASubsetKeepsEarlierRecords() throws {
        let f = try fixture()
        let library = PresetLibrary(directories: [f.presets])
        _ = try renderer.run(try plan(f), options: .init(folder: f.out))
        let subset = try BatchPlan(
            images: try BatchPlan.images(in: [f.images + "/a.png"], recursive: false),
            presets: [.success(try library.load("quick"))], presetNames: ["quick"])
        var options = BatchRenderer.Options(folder: f.out)
        options.force = true
        #expect(try renderer.run(subset, options: options).rendered.map(\.output) == ["a-quick.png"])
        let all = try outputs(f.out)
        #expect(try #require(try BatchManifest.read(f.out + "/manifest.json")).renders.map(\.output) == all)
        let gallery = try String(contentsOfFile: f.out + "/index.html", encoding: .utf8)
        #expect(all.count == 6 && all.allSatisfy { gallery.contains("href=\"\($0)\"") })
        // A render whose file is gone drops out of the records at the next update.
        try FileManager.default.removeItem(atPath: f.out + "/b-quick.png")
        _ = try renderer.run(subset, options: options)
        #expect(
            try #require(try BatchManifest.read(f.out + "/manifest.json")).renders.map(\.output)
                == all.filter { $0 != "b-quick.png" })
    }

    @Test func manifestRecordsEachRenderAsItFinishes() throws {
        let f = try fixture()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: f.images + "/broken.png"))
        var recordedWhenReported: [Bool] = []
        var options = BatchRenderer.Options(folder: f.out)
        options.jobs = 2
        let report = try renderer.run(
            try plan(f), options: options,
            progress: { event, _, _ in
                let manifest = try? BatchManifest.read(f.out + "/manifest.json")
                switch event {
                case .rendered(let job, _):
                    recordedWhenReported.append(manifest?.renders.contains { $0.output == job.outputName } == true)
                case .failed(let job, _):
                    recordedWhenReported.append(
                        manifest?.failures.contains { $0.input == job.input && $0.preset == job.preset } == true)
                case .skipped: break
                }
            })
        #expect(report.rendered.count == 6 && report.failed.count == 2)
        #expect(recordedWhenReported == Array(repeating: true, count: 8))
    }

    @Test func reportIsCodableWithEveryReason() throws {
        let f = try fixture()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: f.images + "/broken.png"))
        try #"{"stepz": 3}"#.write(toFile: f.presets + "/typo.json", atomically: true, encoding: .utf8)
        _ = try renderer.run(try plan(f), options: .init(folder: f.out))
        try FileManager.default.removeItem(atPath: f.out + "/a-quick.png")
        let report = try renderer.run(try plan(f), options: .init(folder: f.out))
        #expect(report.rendered.map(\.output) == ["a-quick.png"] && report.rendered[0].seconds! > 0)
        #expect(report.skipped.count == 5 && report.skipped.allSatisfy { $0.seconds == nil })
        #expect(
            report.failed.map(\.error) == [
                "\(f.presets)/typo.json: key 'stepz': unknown key; did you mean 'steps'?",
                "\(f.images)/broken.png: not a PNG or JPEG image",
                "\(f.images)/broken.png: not a PNG or JPEG image",
            ])
        #expect(report.failed.map(\.output) == [nil, "broken-quick.png", "broken-tiny-tiles.png"])
        #expect(report.recordErrors.isEmpty && !report.interrupted && report.manifest == f.out + "/manifest.json")
        let json = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(BatchReport.self, from: json) == report)
        let keys = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any]).keys
        #expect(
            Set(keys) == ["rendered", "skipped", "failed", "recordErrors", "interrupted", "seconds", "manifest"])
    }

    @Test func outputOfAnotherPhotoIsRefusedBeforeRendering() throws {
        let f = try fixture()
        let other = f.images + "-other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try syntheticPhoto(width: 30, height: 30).write(to: other + "/a.png")
        _ = try renderer.run(try plan(f), options: .init(folder: f.out))
        let before = FileManager.default.contents(atPath: f.out + "/a-quick.png")
        let library = PresetLibrary(directories: [f.presets])
        let second = try BatchPlan(
            images: try BatchPlan.images(in: [other], recursive: false),
            presets: [.success(try library.load("quick"))], presetNames: ["quick"])
        #expect(
            throws: BatchError.outputTaken(
                output: f.out + "/a-quick.png", recordedInput: f.images + "/a.png", input: other + "/a.png")
        ) { try renderer.run(second, options: .init(folder: f.out)) }
        #expect(FileManager.default.contents(atPath: f.out + "/a-quick.png") == before)
        // The same photo by another path is no conflict.
        let again = try BatchPlan(
            images: [(f.images + "/../images/a.png", "a")], presets: [.success(try library.load("quick"))],
            presetNames: ["quick"])
        #expect(try renderer.run(again, options: .init(folder: f.out)).skipped.count == 1)
    }

    @Test func unreadableManifestIsRefusedNotReplaced() throws {
        let f = try fixture()
        try FileManager.default.createDirectory(atPath: f.out, withIntermediateDirectories: true)
        try Data("{\"renders\": 3}".utf8).write(to: URL(fileURLWithPath: f.out + "/manifest.json"))
        #expect(throws: BatchError.self) { try renderer.run(try plan(f), options: .init(folder: f.out)) }
        #expect(FileManager.default.contents(atPath: f.out + "/manifest.json") == Data("{\"renders\": 3}".utf8))
        #expect(try outputs(f.out).isEmpty, "nothing rendered")
    }

    @Test func corruptInputIsReportedAndTheRestRender() throws {
        let f = try fixture()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: f.images + "/broken.png"))
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).write(to: URL(fileURLWithPath: f.images + "/truncated.jpg"))
        let report = try renderer.run(try plan(f), options: .init(folder: f.out))
        #expect(report.rendered.count == 6)
        #expect(report.failed.count == 4)
        #expect(report.failed.allSatisfy { $0.error.contains("broken.png") || $0.error.contains("truncated.jpg") })
        #expect(report.failed.allSatisfy { $0.error.hasPrefix($0.input + ": ") }, "each error starts with its photo")
        let manifest = try #require(try BatchManifest.read(f.out + "/manifest.json"))
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
        let files = try FileManager.default.contentsOfDirectory(atPath: f.out)
        #expect(!files.contains { $0.contains("partial") })
        // Left-over temporaries of a killed run are cleared; a live process's write in
        // flight (here: this process's) stays; the rest renders.
        let stale = Files.temporaryPath(for: f.out + "/a-quick.png", process: try deadProcess())
        let inFlight = Files.temporaryPath(for: f.out + "/b-quick.png", process: getpid())
        for path in [stale, inFlight] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path)) }
        let resumed = try renderer.run(plan, options: options)
        #expect(resumed.rendered.count == 4 && resumed.skipped.count == 2)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: f.out).filter { $0.contains("partial") }
                == [(inFlight as NSString).lastPathComponent])
    }

    @Test func killedProcessLeavesOnlyCompleteOutputsAndTheirRecords() throws {
        // The real binary, killed with SIGKILL once it has recorded two renders.
        let binary = try dreamBinary()
        let f = try fixture()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "batch", f.images, "--recursive", "--presets", f.presets, "--out", f.out, "--jobs", "1", "-q",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning,
            ((try? BatchManifest.read(f.out + "/manifest.json"))??.renders.count ?? 0) < 2
        {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "killed mid-batch, not finished")
        let manifest = try #require(try BatchManifest.read(f.out + "/manifest.json"))
        let recorded = manifest.renders.map(\.output)
        let files = try outputs(f.out)
        #expect(recorded.count >= 2 && Set(recorded).isSubset(of: files), "finished renders keep their records")
        #expect(files.count - recorded.count <= 1, "at most the render between its rename and its record")
        for name in files {
            #expect((try? Image(contentsOf: f.out + "/" + name)) != nil, "\(name) is complete")
        }
        let resumed = try renderer.run(try plan(f), options: .init(folder: f.out))
        #expect(resumed.rendered.count + resumed.skipped.count == 6 && resumed.failedCount == 0)
        #expect(try #require(try BatchManifest.read(f.out + "/manifest.json")).renders.count == 6)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: f.out).contains { $0.contains("partial") })
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
        let reference = try #require(try BatchManifest.read(single + "/manifest.json"))
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
            html.components(separatedBy: "data:image/jpeg;base64,").count - 1 == 12 + 3,
            "6 renders, shown by preset and by image, and each of the 3 originals once")
        // Every render has its original beside it, and every image's row starts with it.
        #expect(html.components(separatedBy: "<span class=\"pair\"><span class=\"original o").count - 1 == 12)
        for (index, input) in [f.images + "/a.png", f.images + "/b.jpg", f.images + "/sub/c.png"].enumerated() {
            #expect(html.contains(".o\(index) { background-image: url(data:image/jpeg;base64,"))
            #expect(
                html.contains(
                    "<h3>\(input)</h3><div class=\"row\"><div class=\"card\"><span class=\"original o\(index)\""))
        }
        #expect(!html.contains("original not found"))
        #expect(html.contains("href=\"a-quick.png\"") && html.contains("By preset") && html.contains("By image"))
        #expect(html.contains("&quot;steps&quot;"), "settings on hover")
    }

    @Test func originalThumbnailsAreBoundedAndMissingOnesSaySo() throws {
        let folder = try temporaryFolder()
        try syntheticPhoto(width: 16, height: 16).write(to: folder + "/render.png")
        try syntheticPhoto(width: 3000, height: 12).write(to: folder + "/wide.png")
        try syntheticPhoto(width: 12, height: 3000).write(to: folder + "/tall.png")
        func entry(_ input: String, source: String? = nil) -> BatchManifest.Render {
            .init(
                input: input, preset: "p", settings: DreamSettings(), seed: 0, seconds: 1, output: "render.png",
                source: source)
        }
        for (input, width, height) in [("wide.png", 48, 12), ("tall.png", 1, 160)] {
            let html = Gallery.html(for: .init(renders: [entry(folder + "/" + input)], failures: []), folder: folder)
            let start = try #require(html.range(of: ".o0 { background-image: url(data:image/jpeg;base64,"))
            let base64 = html[start.upperBound...].prefix { $0 != ")" }
            let thumbnail = try ImageReader().decode(
                [UInt8](try #require(Data(base64Encoded: String(base64)))), path: input)
            #expect((thumbnail.width, thumbnail.height) == (width, height), "\(input): at most 160 high, 4x as wide")
        }
        // An input moved away: found by its absolute path if recorded, else a placeholder.
        let moved = Gallery.html(
            for: .init(renders: [entry("elsewhere/wide.png", source: folder + "/wide.png")], failures: []),
            folder: folder)
        #expect(moved.contains(".o0 { background-image:") && !moved.contains("original not found"))
        let gone = Gallery.html(for: .init(renders: [entry("elsewhere/wide.png")], failures: []), folder: folder)
        #expect(!gone.contains(".o0 {") && gone.contains("original not found"))
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

    @Test func engineErrorsNameThePhoto() throws {
        let f = try fixture()
        try #"{"mode": "tiles", "octaves": 8, "octaveScale": 2, "steps": 1}"#
            .write(toFile: f.presets + "/shrink.json", atomically: true, encoding: .utf8)
        let library = PresetLibrary(directories: [f.presets])
        let plan = try BatchPlan(
            images: try BatchPlan.images(in: [f.images], recursive: false),
            presets: [.success(try library.load("shrink"))], presetNames: ["shrink"])
        let report = try renderer.run(plan, options: .init(folder: f.out))
        #expect(report.failed.map(\.input) == [f.images + "/a.png", f.images + "/b.jpg"])
        for failure in report.failed {
            #expect(failure.error.hasPrefix(failure.input + ": octave 1: image has shrunk to "), "\(failure.error)")
        }
        // A message that already starts with the photo is not prefixed twice.
        let unreadable = ImagingError.unknownFormat(path: "p.png")
        #expect(BatchError.forPhoto("p.png", unreadable).errorDescription == "p.png: not a PNG or JPEG image")
        #expect(
            BatchError.forPhoto("p.png", DreamError.classOutOfRange(index: 12, count: 10)).errorDescription
                == "p.png: class 12 does not exist: the network has classes 0...9")
    }

    /// A small PNG with these tEXt chunks, in this order.
    func png(_ texts: [(key: String, value: String)]) throws -> [UInt8] {
        try ImageWriter(textChunks: texts).encode(syntheticPhoto(width: 8, height: 8), as: .png)
    }

    @Test func fromTellsMissingSettingsFromAChunkLibpngDropped() throws {
        let folder = try temporaryFolder()
        let key = FileRenderer.settingsKey
        let json = try FileRenderer.settingsJSON(try PresetLibrary().load("tiles").settings)
        func settings(_ bytes: [UInt8], _ name: String) throws -> DreamSettings {
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
            return try FileRenderer.settings(fromRender: folder + "/" + name)
        }
        #expect(
            try settings(try png([("note", "x"), (key, json)]), "good.png")
                == (try PresetLibrary().load("tiles").settings))
        #expect(
            throws: DreamError.presetInvalid(
                path: folder + "/plain.png", key: key,
                problem: "the PNG holds no dream settings (not rendered by dream?)")
        ) { try settings(try png([("note", "x")]), "plain.png") }

        // A bad CRC on the settings chunk: libpng drops it with a warning.
        var damaged = try png([(key, json)])
        let tag = Array("tEXt\(key)".utf8)
        let start = try #require(
            (0...(damaged.count - tag.count)).first { Array(damaged[$0..<($0 + tag.count)]) == tag })
        let length = damaged[(start - 4)..<start].reduce(0) { $0 << 8 | Int($1) }
        damaged[start + 4 + length] ^= 0xFF
        #expect(throws: ImagingError.textChunkDropped(path: folder + "/crc.png", detail: "tEXt: CRC error")) {
            try settings(damaged, "crc.png")
        }
        // Past the count limit (64 text chunks, png_shim.c): the settings come too late.
        let crowded = try png((0..<1000).map { ("note\($0)", "x") } + [(key, json)])
        #expect(
            throws: ImagingError.textChunkDropped(
                path: folder + "/crowded.png", detail: "tEXt: no space in chunk cache")
        ) { try settings(crowded, "crowded.png") }
        // A dropped chunk that is not the settings does not hide them.
        var otherDamaged = try png([("note", "x"), (key, json)])
        let note = Array("tEXtnote".utf8)
        let noteStart = try #require(
            (0...(otherDamaged.count - note.count)).first { Array(otherDamaged[$0..<($0 + note.count)]) == note })
        otherDamaged[noteStart + 4 + 6] ^= 0xFF
        #expect(try settings(otherDamaged, "other.png") == (try PresetLibrary().load("tiles").settings))
        let message = ImagingError.textChunkDropped(path: "r.png", detail: "tEXt: CRC error").errorDescription!
        #expect(message.hasPrefix("r.png: libpng dropped a text chunk (tEXt: CRC error)"))
    }

    @Test func oversizedTextChunkIsReportedNotMistakenForNoSettings() throws {
        let folder = try temporaryFolder()
        let huge = try png([(FileRenderer.settingsKey, String(repeating: " ", count: 8_100_000))])
        try Data(huge).write(to: URL(fileURLWithPath: folder + "/huge.png"))
        do {
            _ = try FileRenderer.settings(fromRender: folder + "/huge.png")
            Issue.record("an 8 MB text chunk was read")
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            #expect(
                message.hasPrefix(folder + "/huge.png: ") && !message.contains("holds no dream settings"), "\(message)")
        }
    }
}
