import FileSupport
import Foundation
import Imaging
import NeuralNet

/// One dream from file to file: read, render, write atomically with the resolved
/// settings embedded, never touching the input.
public final class FileRenderer {
    public let renderer: DreamRenderer
    /// The PNG tEXt key that holds a render's settings (JSON).
    public static let settingsKey = "dream:settings"
    /// The PNG tEXt key that holds the name of the preset a render started from, so that
    /// `--from` can name its outputs after the preset rather than after the render's file.
    public static let presetKey = "dream:preset"
    /// The PNG tEXt key that holds the mask's fingerprint (`DreamMask.fingerprint`), so a
    /// batch knows an output was made with the mask it has now.
    public static let maskKey = "dream:mask"

    public struct Request: Sendable {
        public var input: String
        public var output: String
        public var settings: DreamSettings
        /// Where to write the seed's strip of intermediate images, if anywhere.
        public var stagesOutput: String?
        /// 8 or 16 bits per PNG sample.
        public var pngBitDepth = 8
        /// Quality of JPEG outputs, 1...100.
        public var jpegQuality = Request.defaultJPEGQuality
        public static let defaultJPEGQuality = ImageWriter().jpegQuality
        /// The preset the settings came from, stored beside them.
        public var presetName: String?
        /// A mask image: where the photo may change (`DreamMask`).
        public var mask: String?

        public init(input: String, output: String, settings: DreamSettings, stagesOutput: String? = nil) {
            self.input = input
            self.output = output
            self.settings = settings
            self.stagesOutput = stagesOutput
        }
    }

    public struct Outcome: Sendable {
        public var seconds: Double
        public var width: Int
        public var height: Int
        public var objectiveStart: Float?
        public var objectiveEnd: Float?
        /// Whether the strip of stages was written (downscale and mixed modes have one).
        public var wroteStages: Bool
    }

    public init(model: Sequential, workers: Int = Parallelism.cores) {
        renderer = DreamRenderer(model: model, workers: workers)
    }

    public func render(_ request: Request, maxPixels: Int = ImageReader.defaultMaxPixels) throws -> Outcome {
        let start = Date()
        try Files.refuseOverwriting([request.input], with: request.output)
        if let stages = request.stagesOutput { try Files.refuseOverwriting([request.input], with: stages) }
        guard ImageFormat(pathExtension: request.output) != nil else {
            throw ImagingError.unsupportedExtension(path: request.output)
        }
        try Files.checkWritable(request.output)
        if let stages = request.stagesOutput { try Files.checkWritable(stages) }
        let mask = try request.mask.map { path throws(DreamError) in
            try DreamMask.read(contentsOf: path, maxPixels: maxPixels)
        }
        if request.input.hasPrefix(NoiseInput.prefix) && NoiseInput.size(of: request.input) == nil {
            throw DreamError.invalidSetting(
                key: "input",
                problem: "give noise:WxH or noise:N with sides \(SettingsRanges.noiseSide)")
        }
        let photo =
            if let size = NoiseInput.size(of: request.input) {
                NoiseInput.image(
                    width: size.width, height: size.height, seed: request.settings.seed,
                    seamless: request.settings.seamless)
            } else {
                try ImageReader(maxPixels: maxPixels, workers: renderer.workers).read(contentsOf: request.input)
            }
        let (width, height) = (photo.width, photo.height)
        let result = try renderer.render(
            consume photo, settings: request.settings, wantStages: request.stagesOutput != nil, mask: mask)
        var writer = ImageWriter(
            pngBitDepth: request.pngBitDepth, jpegQuality: request.jpegQuality, workers: renderer.workers)
        writer.textChunks = [(Self.settingsKey, try Self.settingsJSON(request.settings))]
        if let name = request.presetName { writer.textChunks.append((Self.presetKey, name)) }
        if let fingerprint = mask?.fingerprint { writer.textChunks.append((Self.maskKey, fingerprint)) }
        try writer.write(result.image, to: request.output, protecting: [request.input])
        if let stagesPath = request.stagesOutput, let stages = result.stages {
            try ImageWriter().write(stages, to: stagesPath, protecting: [request.input])
        }
        return Outcome(
            seconds: Date().timeIntervalSince(start), width: width, height: height,
            objectiveStart: result.history.first, objectiveEnd: result.history.last,
            wroteStages: request.stagesOutput != nil && result.stages != nil)
    }

    /// The settings as stored in a render (sorted keys, so equal settings give equal
    /// text). Throws only for non-finite numbers, which `DreamSettings.problems()` refuses.
    public static func settingsJSON(_ settings: DreamSettings) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(settings), as: UTF8.self)
    }

    /// The settings a render embedded in its PNG and the name of its preset (nil for
    /// renders made before the name was stored), for `--from`.
    public static func recipe(fromRender path: String) throws -> (settings: DreamSettings, presetName: String?) {
        let settings = try settings(fromRender: path)
        let name = try readPNGText(at: path, key: presetKey)
        return (settings, name.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The settings a render embedded in its PNG, for `--from`.
    public static func settings(fromRender path: String) throws -> DreamSettings {
        guard let json = try readPNGText(at: path, key: settingsKey) else {
            throw DreamError.presetInvalid(
                path: path, key: settingsKey, problem: "the PNG holds no dream settings (not rendered by dream?)")
        }
        return try Preset.decode(Data(json.utf8), path: path, base: DreamSettings())
    }

    /// The settings a render starts from, and the preset name its outputs carry: those
    /// stored in a PNG dream rendered (`fromRender`, named after its stored preset), else
    /// the preset's (the default preset when none is named).
    public static func baseSettings(
        preset: String?, fromRender: String?, library: PresetLibrary = PresetLibrary()
    ) throws -> (name: String, settings: DreamSettings) {
        if let fromRender {
            let recipe = try recipe(fromRender: fromRender)
            return (recipe.presetName ?? "from", recipe.settings)
        }
        let preset = preset ?? PresetLibrary.defaultPreset
        return (
            URL(fileURLWithPath: preset).deletingPathExtension().lastPathComponent, try library.load(preset).settings
        )
    }

    /// `out/NAME-PRESET-mMAP.png` and similar: the input's name, the preset, the objective.
    public static func defaultOutputName(input: String, preset: String, settings: DreamSettings) -> String {
        let stem = NoiseInput.name(of: input) ?? URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        var tag = ""
        if let c = settings.classIndex {
            tag = "-class\(c)"
        } else if !settings.maps.isEmpty && settings.layers.isEmpty {
            tag = "-m" + settings.maps.tag
        } else if !settings.layers.isEmpty {
            tag = "-" + settings.layers.keys.sorted().joined(separator: "_")
        }
        if let guide = settings.guide {
            // mnist:class:7 -> guide-class7; a photo -> guide-its-name.
            let name =
                DreamGuide.isDataReference(guide)
                ? guide.dropFirst("mnist:".count).replacingOccurrences(of: ":", with: "")
                : URL(fileURLWithPath: guide).deletingPathExtension().lastPathComponent
            tag += "-guide-" + name
        }
        return "\(stem)-\(preset)\(tag).png"
    }
}
