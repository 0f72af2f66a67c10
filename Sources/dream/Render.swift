import ArgumentParser
import Dreaming
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
            """)

    @Argument(help: "PNG or JPEG photos.") var files: [String] = []
    @Option(
        help:
            "Preset name (./presets, then the bundled ones) or path to a .json file (default: \(PresetLibrary.defaultPreset))."
    )
    var preset: String?
    @Option(help: ArgumentHelp("Take the settings stored in a PNG that dream rendered.", valueName: "render.png"))
    var from: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var overrides: SettingsOverrides
    @Option(name: .shortAndLong, help: "Output file (.png or .jpg), or a folder for several inputs.") var output:
        String?
    @Flag(help: "Also write the strip of intermediate images (OUT-stages.png).") var stages = false
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
        guard (1...100).contains(jpegQuality) else { throw ValidationError("--jpeg-quality must be in 1...100") }
        guard maxMegapixels >= 1 else { throw ValidationError("--max-megapixels must be at least 1") }
        try overrides.check()
    }

    func run() throws {
        let base = try FileRenderer.baseSettings(preset: preset, fromRender: from)
        let settings = try overrides.apply(to: base.settings)
        let renderer = FileRenderer(model: try modelOptions.load())
        let plan = try OutputPlan(inputs: files, output: output)
        try plan.createFolders()
        var failures = 0
        // Progress within a render only on a terminal: logs get the one result line per photo.
        let line = ProgressLine()
        line.quiet = quiet || isatty(STDERR_FILENO) == 0
        for file in files {
            renderer.renderer.progress = { line.update("\(file): \($0)") }
            let target = plan.output(for: file, preset: base.name, settings: settings)
            let stagesPath = stages ? OutputPlan.stagesPath(for: target) : nil
            do {
                var request = FileRenderer.Request(
                    input: file, output: target, settings: settings, stagesOutput: stagesPath)
                request.pngBitDepth = png16 ? 16 : 8
                request.jpegQuality = jpegQuality
                request.presetName = base.name
                let outcome = try renderer.render(request, maxPixels: maxMegapixels * 1_000_000)
                line.finish()
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
                printError(error)
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
