import CGif
import CWebP
import Foundation

/// What an animation file holds, read back with the libraries' own decoders (libwebp's
/// demux API, giflib's DGifSlurp): for tests and for checking a written file.
public struct AnimationProbe: Sendable, Equatable {
    public var frames: Int
    public var width: Int
    public var height: Int
    /// Loop count (0 = forever).
    public var loops: Int

    public init(frames: Int, width: Int, height: Int, loops: Int) {
        self.frames = frames
        self.width = width
        self.height = height
        self.loops = loops
    }

    public static func read(_ path: String) throws -> AnimationProbe {
        switch AnimationFormat(pathExtension: path) {
        case .webp: return try webp(path)
        case .gif: return try gif(path)
        default: throw AnimationError.unsupportedExtension(path: path)
        }
    }

    static func webp(_ path: String) throws -> AnimationProbe {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw AnimationError.unreadable(path: path, detail: "no such file")
        }
        return try bytes.withUnsafeBytes { raw throws -> AnimationProbe in
            var data = WebPData(bytes: raw.bindMemory(to: UInt8.self).baseAddress, size: raw.count)
            guard let demux = WebPDemuxInternal(&data, 0, nil, WEBP_DEMUX_ABI_VERSION) else {
                throw AnimationError.unreadable(path: path, detail: "libwebp's demuxer refuses it")
            }
            defer { WebPDemuxDelete(demux) }
            return AnimationProbe(
                frames: Int(WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT)),
                width: Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH)),
                height: Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT)),
                loops: Int(WebPDemuxGetI(demux, WEBP_FF_LOOP_COUNT)))
        }
    }

    static func gif(_ path: String) throws -> AnimationProbe {
        var error: Int32 = 0
        guard let gif = DGifOpenFileName(path, &error) else {
            throw AnimationError.unreadable(path: path, detail: String(cString: GifErrorString(error)))
        }
        defer { DGifCloseFile(gif, &error) }
        guard DGifSlurp(gif) == GIF_OK else {
            throw AnimationError.unreadable(path: path, detail: String(cString: GifErrorString(gif.pointee.Error)))
        }
        return AnimationProbe(
            frames: Int(gif.pointee.ImageCount), width: Int(gif.pointee.SWidth), height: Int(gif.pointee.SHeight),
            loops: 0)
    }
}
