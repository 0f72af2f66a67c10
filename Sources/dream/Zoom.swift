import Animation
import ArgumentParser
import Dreaming
import FileSupport
import Foundation
import Imaging
import Resampling

struct Zoom: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A dream that feeds on itself: zoom, turn, shift, dream again, frame after frame.",
        discussion: """
            Frame N is frame N-1 zoomed about the centre (--zoom), turned (--rotate, degrees \
            counter-clockwise) and shifted (--shift DX,DY), then dreamed with the preset at \
            --frame-strength times its strength (or step size). Frames go to --frames-dir as frame-0001.png...; \
            a rerun continues after the last frame there, with the same bytes as an \
            uninterrupted run. The animation's type follows -o: .webp, .gif or .mp4 (needs ffmpeg).

            Examples:
              dream zoom samples/flower.jpg
              dream zoom samples/china.jpg --frames 60 --zoom 1.05 --rotate 1 -o out/china.gif
            """)

    @Argument(help: "PNG or JPEG photo: frame 0.") var photo: String
    @Option(help: "Frames to render.") var frames = 120
    @Option(help: "Zoom per frame about the centre (above 1 zooms in).") var zoom = 1.02
    @Option(help: "Rotation per frame, degrees counter-clockwise.") var rotate = 0.0
    @Option(help: ArgumentHelp("Shift per frame in pixels.", valueName: "DX,DY")) var shift: String?
    @Option(help: "Fraction of the strength (or step size) each frame gets.") var frameStrength: Float = 0.6
    @Option(help: "Preset name or .json file (default: zoom).") var preset = "zoom"
    @Option(help: "Frame width in pixels (the photo is resized first; 0 keeps its size).") var width = 320
    @Option(help: "Frames per second of the animation.") var fps = 12.0
    @Option(name: .shortAndLong, help: "Animation file: .webp, .gif or .mp4 (default out/NAME-zoom.webp).")
    var output: String?
    @Option(help: "Folder of the frames (default: the output's name without extension, plus -frames).")
    var framesDir: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var overrides: SettingsOverrides
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard (1...100_000).contains(frames) else { throw ValidationError("--frames must be in 1...100000") }
        guard zoom >= 0.5 && zoom <= 2 else { throw ValidationError("--zoom must be in 0.5...2") }
        guard rotate.isFinite && abs(rotate) <= 180 else { throw ValidationError("--rotate must be in -180...180") }
        guard frameStrength > 0 && frameStrength <= 10 else {
            throw ValidationError("--frame-strength must be in (0, 10]")
        }
        guard width == 0 || (28...4096).contains(width) else {
            throw ValidationError("--width must be 0 (the photo's) or in 28...4096")
        }
        guard fps > 0 && fps <= 100 else { throw ValidationError("--fps must be in (0, 100]") }
        _ = try shiftValues()
        if let output, AnimationFormat(pathExtension: output) == nil {
            throw ValidationError("-o \(output): name the animation .webp, .gif or .mp4")
        }
        try overrides.check()
    }

    func shiftValues() throws -> (Double, Double) {
        guard let shift else { return (0, 0) }
        let parts = shift.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let dx = parts[0], let dy = parts[1], abs(dx) <= 100, abs(dy) <= 100 else {
            throw ValidationError("--shift takes two numbers in -100...100, like 1.5,-2; got '\(shift)'")
        }
        return (dx, dy)
    }

    func run() throws {
        let settings = try overrides.apply(to: try PresetLibrary().load(preset).settings)
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        let output = self.output ?? "out/\(stem)-zoom.webp"
        let folder = framesDir ?? (output as NSString).deletingPathExtension + "-frames"
        try AnimationWriter.checkAvailable(output)
        try Files.createFolder(containing: output)
        let model = try modelOptions.load()
        var image = try ImageReader().read(contentsOf: photo)
        if width > 0 && image.width != width {
            // No lower than the network's input: the dream needs that much.
            image = image.resized(
                width: width,
                height: max(model.inputShape.height, (image.height * width + image.width / 2) / image.width))
        }
        var motion = ZoomSequence.Motion()
        motion.zoom = zoom
        motion.degrees = rotate
        (motion.shiftX, motion.shiftY) = try shiftValues()
        motion.strength = frameStrength
        let sequence = ZoomSequence(
            renderer: DreamRenderer(model: model), settings: settings,
            motion: motion,
            folder: folder)
        try sequence.renderer.validate(settings, width: image.width, height: image.height)
        let line = ProgressLine()
        line.quiet = quiet || isatty(STDERR_FILENO) == 0
        let done = sequence.completedFrames()
        if !quiet && done > 0 && done < frames { print("\(folder): \(done) frames there, continuing") }
        let start = Date()
        sequence.onFrame = { number, seconds in
            line.update(String(format: "frame %d/%d (%.2f s)", number, frames, seconds))
        }
        let rendered = try sequence.run(photo: image, count: frames)
        line.finish()
        let elapsed = Date().timeIntervalSince(start)
        try AnimationWriter(framesPerSecond: fps).write(
            count: frames, width: image.width, height: image.height, to: output
        ) { try ImageReader().read(contentsOf: sequence.framePath($0 + 1)) }
        if !quiet {
            let speed = rendered > 0 ? String(format: ", %.2f frames/s", Double(rendered) / elapsed) : ""
            print(
                String(
                    format: "%@ -> %@ (%d frames %dx%d, %d rendered in %.1f s%@; frames in %@)", photo, output, frames,
                    image.width, image.height, rendered, elapsed, speed, folder))
        }
    }
}
