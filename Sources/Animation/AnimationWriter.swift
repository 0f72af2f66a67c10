import CGif
import CWebP
import FileSupport
import Foundation
import Imaging

/// Frames of one size in, an animation file out: animated WebP (libwebp's anim encoder),
/// GIF (giflib, a 256-color palette per frame) or MP4 (the ffmpeg program), by extension.
/// WebP and GIF are written atomically.
public struct AnimationWriter: Sendable {
    public var framesPerSecond: Double
    /// WebP quality 0...100 (lossy); GIF and MP4 ignore it.
    public var quality: Float

    public init(framesPerSecond: Double = 12, quality: Float = 80) {
        self.framesPerSecond = framesPerSecond
        self.quality = quality
    }

    /// Writes `frames` to `path`; frames are loaded lazily, one at a time, from `frame(i)`.
    public func write(
        count: Int, width: Int, height: Int, to path: String, frame: (Int) throws -> Image
    ) throws {
        guard let format = AnimationFormat(pathExtension: path) else {
            throw AnimationError.unsupportedExtension(path: path)
        }
        guard count > 0 else { throw AnimationError.noFrames(path: path) }
        func rgb(_ i: Int) throws -> [UInt8] {
            let image = try frame(i)
            guard image.width == width && image.height == height else {
                throw AnimationError.sizeMismatch(
                    path: path, frame: i + 1, expected: "\(width)x\(height)", got: "\(image.width)x\(image.height)")
            }
            return Self.rgbBytes(image)
        }
        switch format {
        case .webp:
            try Files.write(
                try encodeWebP(count: count, width: width, height: height, path: path, rgb: rgb), to: path)
        case .gif:
            try Files.write(
                try encodeGIF(count: count, width: width, height: height, path: path, rgb: rgb), to: path)
        case .mp4:
            try encodeMP4(count: count, width: width, height: height, path: path, rgb: rgb)
        }
    }

    /// Interleaved 8-bit RGB; gray repeats, alpha is dropped.
    static func rgbBytes(_ image: Image) -> [UInt8] {
        let n = image.planeSize
        var out = [UInt8](repeating: 0, count: n * 3)
        let color = image.colorChannels >= 3
        for i in 0..<n {
            for c in 0..<3 {
                let v = image.pixels[(color ? c : 0) * n + i]
                out[i * 3 + c] = UInt8(min(max(v, 0), 1) * 255 + 0.5)
            }
        }
        return out
    }

    private var frameMilliseconds: Int32 { Int32((1000 / framesPerSecond).rounded()) }

    func encodeWebP(count: Int, width: Int, height: Int, path: String, rgb: (Int) throws -> [UInt8]) throws
        -> [UInt8]
    {
        var options = WebPAnimEncoderOptions()
        guard WebPAnimEncoderOptionsInitInternal(&options, WEBP_MUX_ABI_VERSION) != 0 else {
            throw AnimationError.encoderFailed(path: path, library: "libwebp", detail: "version mismatch")
        }
        options.anim_params.loop_count = 0
        guard let encoder = WebPAnimEncoderNewInternal(Int32(width), Int32(height), &options, WEBP_MUX_ABI_VERSION)
        else { throw AnimationError.encoderFailed(path: path, library: "libwebp", detail: "out of memory") }
        defer { WebPAnimEncoderDelete(encoder) }
        var config = WebPConfig()
        guard WebPConfigInitInternal(&config, WEBP_PRESET_PHOTO, quality, WEBP_ENCODER_ABI_VERSION) != 0 else {
            throw AnimationError.encoderFailed(path: path, library: "libwebp", detail: "version mismatch")
        }
        config.method = 4
        var timestamp: Int32 = 0
        for i in 0..<count {
            var bytes = try rgb(i)
            var picture = WebPPicture()
            guard WebPPictureInitInternal(&picture, WEBP_ENCODER_ABI_VERSION) != 0 else {
                throw AnimationError.encoderFailed(path: path, library: "libwebp", detail: "version mismatch")
            }
            picture.width = Int32(width)
            picture.height = Int32(height)
            picture.use_argb = 1
            defer { WebPPictureFree(&picture) }
            guard WebPPictureImportRGB(&picture, &bytes, Int32(width * 3)) != 0,
                WebPAnimEncoderAdd(encoder, &picture, timestamp, &config) != 0
            else {
                throw AnimationError.encoderFailed(
                    path: path, library: "libwebp", detail: String(cString: WebPAnimEncoderGetError(encoder)))
            }
            timestamp += frameMilliseconds
        }
        var data = WebPData()
        guard WebPAnimEncoderAdd(encoder, nil, timestamp, nil) != 0, WebPAnimEncoderAssemble(encoder, &data) != 0
        else {
            throw AnimationError.encoderFailed(
                path: path, library: "libwebp", detail: String(cString: WebPAnimEncoderGetError(encoder)))
        }
        defer { WebPFree(UnsafeMutableRawPointer(mutating: data.bytes)) }
        return [UInt8](UnsafeBufferPointer(start: data.bytes, count: data.size))
    }

    /// giflib writes through a callback into this buffer (UserData), so the file appears
    /// only whole, by an atomic rename.
    final class Sink { var bytes: [UInt8] = [] }

    func encodeGIF(count: Int, width: Int, height: Int, path: String, rgb: (Int) throws -> [UInt8]) throws
        -> [UInt8]
    {
        let sink = Sink()
        var error: Int32 = 0
        let output: OutputFunc = { gif, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(gif!.pointee.UserData).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return length
        }
        guard let gif = EGifOpen(Unmanaged.passUnretained(sink).toOpaque(), output, &error) else {
            throw AnimationError.encoderFailed(
                path: path, library: "giflib", detail: String(cString: GifErrorString(error)))
        }
        var closed = false
        defer { if !closed { EGifCloseFile(gif, &error) } }
        func check(_ status: Int32) throws {
            if status == GIF_ERROR {
                throw AnimationError.encoderFailed(
                    path: path, library: "giflib", detail: String(cString: GifErrorString(gif.pointee.Error)))
            }
        }
        EGifSetGifVersion(gif, true)
        try check(EGifPutScreenDesc(gif, Int32(width), Int32(height), 8, 0, nil))
        // NETSCAPE2.0 application block: loop forever.
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE))
        var netscape = Array("NETSCAPE2.0".utf8)
        try check(EGifPutExtensionBlock(gif, 11, &netscape))
        var loop: [UInt8] = [1, 0, 0]
        try check(EGifPutExtensionBlock(gif, 3, &loop))
        try check(EGifPutExtensionTrailer(gif))
        let n = width * height
        var red = [UInt8](repeating: 0, count: n), green = red, blue = red, indices = red
        for i in 0..<count {
            let bytes = try rgb(i)
            for p in 0..<n {
                red[p] = bytes[p * 3]
                green[p] = bytes[p * 3 + 1]
                blue[p] = bytes[p * 3 + 2]
            }
            var colors = [GifColorType](repeating: GifColorType(), count: 256)
            var colorCount: Int32 = 256
            try check(
                GifQuantizeBuffer(UInt32(width), UInt32(height), &colorCount, &red, &green, &blue, &indices, &colors))
            guard let map = GifMakeMapObject(256, colors) else {
                throw AnimationError.encoderFailed(path: path, library: "giflib", detail: "out of memory")
            }
            defer { GifFreeMapObject(map) }
            var control = GraphicsControlBlock(
                DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false,
                DelayTime: Int32((100 / framesPerSecond).rounded()), TransparentColor: NO_TRANSPARENT_COLOR)
            var extensionBytes = [UInt8](repeating: 0, count: 4)
            let length = EGifGCBToExtension(&control, &extensionBytes)
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(length), &extensionBytes))
            try check(EGifPutImageDesc(gif, 0, 0, Int32(width), Int32(height), false, map))
            try indices.withUnsafeMutableBufferPointer { buffer in
                for y in 0..<height {
                    try check(EGifPutLine(gif, buffer.baseAddress! + y * width, Int32(width)))
                }
            }
        }
        closed = true
        try check(EGifCloseFile(gif, &error))
        return sink.bytes
    }

    func encodeMP4(count: Int, width: Int, height: Int, path: String, rgb: (Int) throws -> [UInt8]) throws {
        guard let ffmpeg = Self.findProgram("ffmpeg") else {
            throw AnimationError.programMissing(path: path, program: "ffmpeg")
        }
        // yuv420p needs even sides: the last odd row or column is cropped.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        let temporary =
            (path as NSString).deletingLastPathComponent.isEmpty
            ? ".\(UUID().uuidString).mp4"
            : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                ".\(UUID().uuidString).mp4")
        process.arguments = [
            "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)",
            "-r", String(framesPerSecond), "-i", "-", "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", temporary,
        ]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            for i in 0..<count { try pipe.fileHandleForWriting.write(contentsOf: Data(try rgb(i))) }
        } catch {
            try? pipe.fileHandleForWriting.close()
            process.waitUntilExit()
            throw error
        }
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AnimationError.programFailed(path: path, program: "ffmpeg", status: process.terminationStatus)
        }
        guard rename(temporary, path) == 0 else {
            throw AnimationError.encoderFailed(path: path, library: "ffmpeg", detail: String(cString: strerror(errno)))
        }
    }

    /// Refuses, before any rendering, an output this machine cannot write (MP4 without ffmpeg).
    public static func checkAvailable(_ path: String) throws {
        guard AnimationFormat(pathExtension: path) != nil else { throw AnimationError.unsupportedExtension(path: path) }
        if AnimationFormat(pathExtension: path) == .mp4 && findProgram("ffmpeg") == nil {
            throw AnimationError.programMissing(path: path, program: "ffmpeg")
        }
    }

    /// The program's path on PATH, or nil.
    public static func findProgram(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
