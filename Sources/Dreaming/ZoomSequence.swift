import FileSupport
import Foundation
import Imaging
import NeuralNet
import Resampling

/// The feedback animation: frame N is frame N-1 warped (zoom, rotation, shift) and dreamed
/// again, frame 0 being the photo. Frames are PNGs `frame-0001.png`... in a folder, each
/// written atomically; a rerun continues after the last frame on disk, from that file, so
/// a resumed run gives the same bytes as an uninterrupted one.
public final class ZoomSequence {
    public struct Motion: Codable, Sendable, Equatable {
        public var zoom: Double = 1.03
        public var degrees: Double = 0
        public var shiftX: Double = 0
        public var shiftY: Double = 0
        /// Fraction of the preset's strength (or step size, for presets without one) used
        /// on each frame: the dream grows a little per frame and the feedback does the rest.
        public var strength: Float = 1
        public init() {}

        public var warp: AffineWarp { AffineWarp(zoom: zoom, degrees: degrees, shiftX: shiftX, shiftY: shiftY) }
    }

    /// The PNG tEXt key that records the settings and motion of a frame folder, so a rerun
    /// with other settings refuses to continue another animation.
    public static let recipeKey = "dream:zoom"

    public let renderer: DreamRenderer
    public let settings: DreamSettings
    public let motion: Motion
    public let folder: String
    /// Told of each finished frame (number, seconds).
    public var onFrame: ((Int, Double) -> Void)?

    public init(renderer: DreamRenderer, settings: DreamSettings, motion: Motion, folder: String) {
        self.renderer = renderer
        self.settings = settings
        self.motion = motion
        self.folder = folder
    }

    public static func frameName(_ number: Int) -> String { String(format: "frame-%04d.png", number) }

    public func framePath(_ number: Int) -> String {
        (folder as NSString).appendingPathComponent(Self.frameName(number))
    }

    /// Frames 1...n on disk without a gap (files appear only whole: atomic writes).
    public func completedFrames() -> Int {
        var n = 0
        while FileManager.default.fileExists(atPath: framePath(n + 1)) { n += 1 }
        return n
    }

    /// The seed of frame `number`: the settings' seed and the number mixed (SplitMix64), so
    /// frames differ and any frame can be rendered alone.
    public static func frameSeed(_ seed: UInt64, frame number: Int) -> UInt64 {
        var z = seed &+ UInt64(number) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    var recipe: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Recipe: Encodable {
            var settings: DreamSettings
            var motion: Motion
        }
        return String(
            decoding: (try? encoder.encode(Recipe(settings: settings, motion: motion))) ?? Data(), as: UTF8.self)
    }

    /// Renders frames up to `count`, continuing after those on disk. Returns the number of
    /// frames rendered by this call.
    @discardableResult
    public func run(photo: Image, count: Int) throws -> Int {
        try Files.createFolder(folder)
        let done = completedFrames()
        var previous = photo
        if done > 0 {
            let last = framePath(done)
            guard try readPNGText(at: last, key: Self.recipeKey) == recipe else {
                throw DreamError.invalidSetting(
                    key: "frames",
                    problem:
                        "\(last) was rendered with other settings or motion; use another --frames-dir or delete its frames"
                )
            }
            previous = try ImageReader().read(contentsOf: last)
            guard previous.width == photo.width && previous.height == photo.height else {
                throw DreamError.invalidSetting(
                    key: "frames",
                    problem:
                        "\(last) is \(previous.width)x\(previous.height), the photo \(photo.width)x\(photo.height); use another --frames-dir or the same --width"
                )
            }
        }
        guard done < count else { return 0 }
        var frameSettings = settings
        // Per frame: a fraction of the preset's strength (strength-driven presets) or of its
        // step size.
        frameSettings.stepSize = settings.stepSize * motion.strength
        frameSettings.strength = settings.strength.map { $0 * motion.strength }
        let warp = motion.warp
        var writer = ImageWriter()
        writer.textChunks = [(Self.recipeKey, recipe)]
        for number in (done + 1)...count {
            let start = Date()
            frameSettings.seed = Self.frameSeed(settings.seed, frame: number)
            let moved = warp.apply(to: previous)
            let dreamed = try renderer.render(moved, settings: frameSettings).image
            let path = framePath(number)
            try writer.write(dreamed, to: path)
            // Continue from the file's 8-bit samples, exactly what a resumed run reads.
            previous = try ImageReader().read(contentsOf: path)
            onFrame?(number, Date().timeIntervalSince(start))
        }
        return count - done
    }
}
