import CCodecShims
import FileSupport
import Foundation

/// Decodes PNG and JPEG files into `Image`s.
public struct ImageReader: Sendable {
    /// Images above this many pixels are refused before any pixel memory is allocated.
    public var maxPixels: Int
    /// Turn JPEGs upright according to their EXIF orientation.
    public var appliesOrientation: Bool
    /// Threads for turning decoded samples into planes (the result does not depend on it).
    public var workers: Int

    public static let defaultMaxPixels = 100_000_000

    public init(maxPixels: Int = ImageReader.defaultMaxPixels, appliesOrientation: Bool = true, workers: Int = 1) {
        self.maxPixels = maxPixels
        self.appliesOrientation = appliesOrientation
        self.workers = workers
    }

    /// Files above this size are refused before reading: 8 bytes a pixel (16-bit RGBA, as
    /// raw as a PNG gets) plus 64 MB of metadata, so no image within `maxPixels` is.
    public var maxFileBytes: Int {
        let slack = 64 << 20
        return maxPixels > (Int.max - slack) / 8 ? Int.max : 8 * maxPixels + slack
    }

    public func read(contentsOf path: String) throws(ImagingError) -> Image {
        let bytes: [UInt8]
        do throws(FileError) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > maxFileBytes {
                let megabytes = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / 1_048_576) }
                throw FileError.unreadable(
                    path: path,
                    reason: "it is \(megabytes(size)), over the \(megabytes(maxFileBytes)) that an image within the "
                        + "\(Self.megapixels(maxPixels))-megapixel limit can take")
            }
            bytes = try Files.read(path)
        } catch {
            throw .file(error)
        }
        return try decode(bytes, path: path)
    }

    /// Decodes in-memory file bytes; `path` only names the data in errors.
    public func decode(_ bytes: [UInt8], path: String) throws(ImagingError) -> Image {
        guard !bytes.isEmpty else { throw .corrupt(path: path, detail: "file is empty") }
        switch ImageFormat(signature: Array(bytes.prefix(8))) {
        case .png:
            return try decodeWithShim(bytes, path: path, png_shim_decode)
        case .jpeg:
            var image = try decodeWithShim(bytes, path: path, jpeg_shim_decode)
            if appliesOrientation, let orientation = ExifOrientation(jpeg: bytes) {
                image = orientation.applied(to: image)
            }
            return image
        case nil:
            throw .unknownFormat(path: path)
        }
    }

    private typealias ShimDecoder = (
        UnsafePointer<UInt8>?, Int, UInt64, UnsafeMutablePointer<codec_image>?, UnsafeMutablePointer<CChar>?
    ) -> Int32

    private func decodeWithShim(_ bytes: [UInt8], path: String, _ decoder: ShimDecoder) throws(ImagingError) -> Image {
        var raw = codec_image()
        var message = [CChar](repeating: 0, count: Int(CODEC_ERROR_LENGTH))
        let status = bytes.withUnsafeBufferPointer { buffer in
            decoder(buffer.baseAddress, buffer.count, UInt64(maxPixels), &raw, &message)
        }
        defer { codec_free(raw.pixels) }
        let detail = cString(message)
        switch Int(status) {
        case Int(CODEC_OK.rawValue):
            break
        case Int(CODEC_TOO_LARGE.rawValue):
            let numbers = detail.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            throw .tooLarge(
                path: path, width: numbers.first ?? 0, height: numbers.dropFirst().first ?? 0,
                limit: maxPixels)
        case Int(CODEC_UNSUPPORTED.rawValue):
            throw .unsupported(path: path, detail: detail)
        case Int(CODEC_NOT_THIS_FORMAT.rawValue):
            throw .unknownFormat(path: path)
        default:
            throw .corrupt(path: path, detail: detail)
        }
        let width = Int(raw.width), height = Int(raw.height), channels = Int(raw.channels)
        guard width > 0, height > 0, (1...4).contains(channels), let samples = raw.pixels else {
            throw .corrupt(path: path, detail: "image has zero size")
        }
        let count = width * height
        // Interleaved samples to planes; 16-bit keeps its full precision.
        let pixels = [Float](unsafeUninitializedCapacity: count * channels) { target, initialized in
            Bands.run(count, workers: workers) { range in
                if raw.bit_depth == 16 {
                    let source = samples.assumingMemoryBound(to: UInt16.self)
                    let scale: Float = 1 / 65535
                    for i in range {
                        for c in 0..<channels { target[c * count + i] = Float(source[i * channels + c]) * scale }
                    }
                } else {
                    let source = samples.assumingMemoryBound(to: UInt8.self)
                    let scale: Float = 1 / 255
                    // One loop per channel count: the compiler unrolls the channels.
                    switch channels {
                    case 1: Self.planes(source, 1, range, count, into: target.baseAddress!, scale)
                    case 2: Self.planes(source, 2, range, count, into: target.baseAddress!, scale)
                    case 3: Self.planes(source, 3, range, count, into: target.baseAddress!, scale)
                    default: Self.planes(source, 4, range, count, into: target.baseAddress!, scale)
                    }
                }
            }
            initialized = count * channels
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Pixels `range` of interleaved 8-bit samples into planes of `count` floats.
    @inline(__always)
    private static func planes(
        _ source: UnsafePointer<UInt8>, _ channels: Int, _ range: Range<Int>, _ count: Int,
        into target: UnsafeMutablePointer<Float>, _ scale: Float
    ) {
        for i in range {
            for c in 0..<channels { target[c * count + i] = Float(source[i * channels + c]) * scale }
        }
    }

    /// "100", or "0.000064" for a tiny test limit.
    static func megapixels(_ pixels: Int) -> String {
        pixels % 1_000_000 == 0 ? "\(pixels / 1_000_000)" : "\(Double(pixels) / 1_000_000)"
    }
}

extension Image {
    /// Reads a PNG or JPEG file (the format is told by its bytes, not its name).
    public init(contentsOf path: String, maxPixels: Int = ImageReader.defaultMaxPixels) throws(ImagingError) {
        self = try ImageReader(maxPixels: maxPixels).read(contentsOf: path)
    }
}
