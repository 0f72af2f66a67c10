import Animation
import ArgumentParser
import Batch
import Dreaming
import FileSupport
import Foundation
import Imaging

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dream on one or more photos (the default command).",
        discussion: """
            Settings come from the preset (default 'ghost'); flags override single keys. \
            Output goes to ./out/NAME-PRESET-mMAP.png unless -o says otherwise; the resolved \
            settings are stored in the PNG, so 'dream --from render.png other.jpg' repeats them.

            Examples:
              dream --preset ghost --map 56 samples/flower.jpg
              dream --preset tiles --octaves 4 photo.jpg -o dream.png
              dream --preset mixed --layers conv2=0.5,conv3=1 photo.jpg
              dream --preset fours --class 7 photo.jpg
              dream --mask sky-mask.png photo.jpg
              dream --preset texture noise:512x512 -o texture.png
            """)

    @Argument(help: "PNG or JPEG photos, or noise:WxH to dream on seeded noise (textures).") var files: [String] = []
    @Option(
        help:
            "Preset name (./presets, then the bundled ones) or path to a .json file (default: \(PresetLibrary.defaultPreset))."
    )
    var preset: String?
    @Option(help: ArgumentHelp("Take the settings stored in a PNG that dream rendered.", valueName: "render.png"))
    var from: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var overrides: SettingsOverrides
    @Option(name: .shortAndLong, help: "Output file (.png or .jpg), or a folder for several inputs.") var output:
        String?
    @Option(
        help: ArgumentHelp(
            "Dream only where this gray image is light: black keeps the photo's pixels exactly, gray blends; "
                + "resized to each photo.", valueName: "mask.png"))
    var mask: String?
    @Flag(help: "Also write the strip of intermediate images (OUT-stages.png).") var stages = false
    @Option(help: "Write the dream so far every N steps, at the output's size, into OUT-frames/ (all modes).")
    var framesEvery: Int?
    @Option(
        help: ArgumentHelp(
            "Assemble those frames into an animation of the dream growing (.webp, .gif or .mp4); one photo only.",
            valueName: "out.webp"))
    var animate: String?
    @Option(help: "Frames per second of --animate.") var fps = 12.0
    @Flag(help: "Write 16-bit PNG samples.") var png16 = false
    @Option(help: "JPEG quality (1-100) for .jpg outputs.") var jpegQuality = FileRenderer.Request.defaultJPEGQuality
    @Option(help: "Refuse photos larger than this many megapixels (checked before decoding).")
    var maxMegapixels = ImageReader.defaultMaxPixels / 1_000_000
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard !files.isEmpty else {
            throw ValidationError("give at least one photo, e.g. dream --preset ghost samples/flower.jpg")
        }
        if from != nil && preset != nil {
            throw ValidationError(
                "give --from or --preset, not both: --from takes every setting from the render, flags override single keys"
            )
        }
        try checkRange("--jpeg-quality", jpegQuality, SettingsRanges.jpegQuality)
        try checkRange("--max-megapixels", maxMegapixels, SettingsRanges.maxMegapixels)
        if let framesEvery, framesEvery < 1 { throw ValidationError("--frames-every must be at least 1") }
        guard fps > 0 && fps <= 100 else { throw ValidationError("--fps must be in (0, 100]") }
        if let animate {
            guard AnimationFormat(pathExtension: animate) != nil else {
                throw ValidationError("--animate \(animate): name the animation .webp, .gif or .mp4")
            }
            guard Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).count == 1 else {
                throw ValidationError("--animate takes one photo; run once per photo")
            }
        }
        try overrides.check()
        // Several photos need a folder: an image name there would become a folder of that name.
        let photos = Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).count
        if photos > 1, let output, !output.hasSuffix("/"), !Files.isFolder(output) {
            if ImageFormat(pathExtension: output) != nil {
                throw ValidationError(
                    "-o \(output) names one image, but \(photos) photos are given; give a folder (-o out/) or one photo"
                )
            }
            if FileManager.default.fileExists(atPath: output) {
                throw ValidationError("-o \(output) must be a folder when several photos are given")
            }
        }
    }

    func run() throws {
        try threadOptions.apply()
        let base = try FileRenderer.baseSettings(preset: preset, fromRender: from)
        let settings = try overrides.apply(to: base.settings)
        if let animate { try AnimationWriter.checkAvailable(animate) }
        // A mask that cannot be read stops the run before anything renders.
        if let mask { _ = try DreamMask.read(contentsOf: mask, maxPixels: maxMegapixels * 1_000_000) }
        let severalPhotos = Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).count > 1
        let outputIsFolder = severalPhotos || output.map { $0.hasSuffix("/") || Files.isFolder($0) } ?? true
        let folder = outputIsFolder ? output ?? OutputPlan.defaultFolder : nil
        // Every output name is decided before anything renders: names that would collide
        // keep what tells their photos apart, or the run stops here naming both.
        let targets: [(input: String, output: String)]
        if let folder {
            targets = try BatchNaming.renderOutputs(files: files, preset: base.name, settings: settings).map {
                ($0.input, (folder as NSString).appendingPathComponent($0.output))
            }
            try Files.createFolder(folder)
        } else {
            targets = [(files[0], output!)]
            try Files.createFolder(containing: output!)
        }
        let renderer = FileRenderer(model: try modelOptions.load())
        var failures = 0
        // Progress within a render only on a terminal: logs get the one result line per photo.
        let line = ProgressLine()
        line.quiet = quiet || isatty(STDERR_FILENO) == 0
        for (file, target) in targets {
            let started = Date()
            renderer.renderer.progress = { progress in
                line.update("\(file): " + ProgressLine.describe(progress, elapsed: Date().timeIntervalSince(started)))
            }
            let frames = try framesRecorder(for: target)
            renderer.renderer.frameEvery = frames == nil ? 0 : framesEvery ?? 1
            renderer.renderer.onFrame = frames.map { recorder in { recorder.add($0) } }
            let stagesPath = stages ? OutputPlan.stagesPath(for: target) : nil
            do {
                var request = FileRenderer.Request(
                    input: file, output: target, settings: settings, stagesOutput: stagesPath)
                request.pngBitDepth = png16 ? 16 : 8
                request.jpegQuality = jpegQuality
                request.presetName = base.name
                request.mask = mask
                let outcome = try renderer.render(request, maxPixels: maxMegapixels * 1_000_000)
                line.finish()
                if let frames { try frames.finish(animation: animate, fps: fps, quiet: quiet) }
                if !quiet {
                    let objective =
                        outcome.objectiveStart.flatMap { a in
                            outcome.objectiveEnd.map { String(format: ", objective %.3g -> %.3g", a, $0) }
                        } ?? ""
                    print(
                        String(
                            format: "%@ -> %@ (%dx%d, %.2f s%@)", file, target, outcome.width, outcome.height,
                            outcome.seconds, objective))
                    if let stagesPath {
                        print(
                            outcome.wroteStages
                                ? "stages -> \(stagesPath)" : "no stages: only downscale and mixed modes have them")
                    }
                }
            } catch {
                line.finish()
                failures += 1
                // Engine errors do not know the photo: every message starts with it.
                printError(BatchError.forPhoto(file, error))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Where `--frames-every` writes for one output, or nil without it.
    func framesRecorder(for target: String) throws -> FrameRecorder? {
        guard framesEvery != nil || animate != nil else { return nil }
        let folder = (target as NSString).deletingPathExtension + "-frames"
        try Files.createFolder(folder)
        // Frames of an earlier render of this output would mix with the new ones.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix("frame-") && name.hasSuffix(".png") {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
        return FrameRecorder(folder: folder)
    }
}
