import CCodecShims
import FileSupport
import Foundation

/// Encodes `Image`s as PNG or JPEG; the format follows the output file's extension.
public struct ImageWriter: Sendable {
    /// PNG sample depth: 8 or 16 bits.
    public var pngBitDepth: Int
    /// JPEG quality, 1...100.
    public var jpegQuality: Int
    /// Key/value pairs stored as PNG tEXt chunks (ignored for JPEG).
    public var textChunks: [(key: String, value: String)]
    /// Threads for quantizing and PNG deflating; the bytes do not depend on it.
    public var workers: Int

    public init(
        pngBitDepth: Int = 8, jpegQuality: Int = 92, textChunks: [(key: String, value: String)] = [], workers: Int = 1
    ) {
        self.pngBitDepth = pngBitDepth
        self.jpegQuality = jpegQuality
        self.textChunks = textChunks
        self.workers = workers
    }

    /// Writes atomically (temporary file, then rename): a crash leaves no partial file.
    /// Paths in `inputs` are never overwritten.
    public func write(_ image: Image, to path: String, protecting inputs: [String] = []) throws(ImagingError) {
        guard let format = ImageFormat(pathExtension: path) else { throw .unsupportedExtension(path: path) }
        do {
            try Files.refuseOverwriting(inputs, with: path)
        } catch {
            throw .file(error)
        }
        // Straight from the encoder's buffer to the file: no copy of the encoded bytes.
        try encoded(image, as: format, path: path) { bytes throws(ImagingError) in
            try Self.writeFile(bytes, to: path)
        }
    }

    private static func writeFile(_ bytes: UnsafeRawBufferPointer, to path: String) throws(ImagingError) {
        do {
            try Files.write(bytes, to: path)
        } catch {
            throw .file(error)
        }
    }

    public func encode(_ image: Image, as format: ImageFormat, path: String = "<memory>") throws(ImagingError)
        -> [UInt8]
    {
        try encoded(image, as: format, path: path) { Array($0) }
    }

    /// `use` sees the encoded bytes in the encoder's own buffer, freed afterwards.
    private func encoded<R>(
        _ image: Image, as format: ImageFormat, path: String, _ use: (UnsafeRawBufferPointer) throws(ImagingError) -> R
    ) throws(ImagingError) -> R {
        switch format {
        case .png: return try encodePNG(image, path: path, use)
        case .jpeg: return try encodeJPEG(image, path: path, use)
        }
    }

    private func encodePNG<R>(
        _ image: Image, path: String, _ use: (UnsafeRawBufferPointer) throws(ImagingError) -> R
    ) throws(ImagingError) -> R {
        guard pngBitDepth == 8 || pngBitDepth == 16 else {
            throw .unsupported(path: path, detail: "PNG bit depth must be 8 or 16, not \(pngBitDepth)")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: Int(CODEC_ERROR_LENGTH))
        // strdup'ed C strings: they must outlive the call
        let keys = textChunks.map { strdup($0.key) }
        let values = textChunks.map { strdup($0.value) }
        defer { (keys + values).forEach { free($0) } }
        var texts = zip(keys, values).map { codec_text(key: $0, text: $1) }
        // From the planes: the encoder's workers quantize each row as they filter it, the
        // same samples as `interleaved` (no whole-image sample buffer).
        let status = image.pixels.withUnsafeBufferPointer { planes in
            png_shim_encode_planes(
                planes.baseAddress, UInt32(image.width), UInt32(image.height), UInt32(image.channels),
                UInt32(pngBitDepth), &texts, Int32(texts.count), Int32(workers), &out, &length, &message)
        }
        defer { codec_free(out) }
        guard status == 0, let out else {
            throw .encodeFailed(path: path, reason: cString(message))
        }
        return try use(UnsafeRawBufferPointer(start: out, count: length))
    }

    private func encodeJPEG<R>(
        _ image: Image, path: String, _ use: (UnsafeRawBufferPointer) throws(ImagingError) -> R
    ) throws(ImagingError) -> R {
        guard (1...100).contains(jpegQuality) else {
            throw .unsupported(path: path, detail: "JPEG quality must be 1...100, not \(jpegQuality)")
        }
        // JPEG has no alpha: drop it rather than refuse.
        let opaque = image.hasAlpha ? Image(planes: (0..<image.colorChannels).map { image.plane($0) }) : image
        var samples: [UInt8] = Self.interleaved(opaque, workers: workers)
        var out: UnsafeMutablePointer<UInt8>?
        var length: UInt = 0
        var message = [CChar](repeating: 0, count: Int(CODEC_ERROR_LENGTH))
        let status = samples.withUnsafeMutableBytes { raw in
            var header = codec_image(
                width: UInt32(opaque.width), height: UInt32(opaque.height),
                channels: UInt32(opaque.channels), bit_depth: 8, pixels: raw.baseAddress)
            return jpeg_shim_encode(&header, Int32(jpegQuality), &out, &length, &message)
        }
        defer { codec_free(out) }
        guard status == 0, let out else {
            throw .encodeFailed(path: path, reason: cString(message))
        }
        return try use(UnsafeRawBufferPointer(start: out, count: Int(length)))
    }

    /// Planes to interleaved 8- or 16-bit samples (the type's width), clamped to [0, 1]
    /// first (NaN to 0) and rounded half up: `UInt8(min(max(v, 0), 1) * 255 + 0.5)`, the
    /// same as `rounded()` on [0, 1] without its libm call. One pass, in C (vectorised).
    static func interleaved<T: FixedWidthInteger & UnsignedInteger>(_ image: Image, workers: Int = 1) -> [T] {
        precondition(T.bitWidth == 8 || T.bitWidth == 16, "8- or 16-bit samples only")
        let count = image.planeSize, channels = image.channels
        return [T](unsafeUninitializedCapacity: count * channels) { dst, initialized in
            image.pixels.withUnsafeBufferPointer { src in
                Bands.run(count, workers: workers) { range in
                    codec_quantize(
                        src.baseAddress, count, UInt32(channels), UInt32(T.bitWidth), range.lowerBound,
                        range.upperBound, dst.baseAddress)
                }
            }
            initialized = count * channels
        }
    }
}

extension Image {
    /// Writes the image; the format follows the extension (.png, .jpg, .jpeg).
    public func write(to path: String, protecting inputs: [String] = []) throws(ImagingError) {
        try ImageWriter().write(self, to: path, protecting: inputs)
    }
}

/// Reads a PNG's tEXt value for `key`; nil when the file has none. Throws when libpng
/// dropped a text chunk (bad CRC, size or count limits) and `key` was not among the rest.
public func readPNGText(at path: String, key: String) throws(ImagingError) -> String? {
    let bytes: [UInt8]
    do {
        bytes = try Files.read(path)
    } catch {
        throw .file(error)
    }
    var text: UnsafeMutablePointer<CChar>?
    var message = [CChar](repeating: 0, count: Int(CODEC_ERROR_LENGTH))
    let status = bytes.withUnsafeBufferPointer { png_shim_read_text($0.baseAddress, $0.count, key, &text, &message) }
    defer { codec_free(text) }
    if status == Int32(CODEC_NOT_THIS_FORMAT.rawValue) { throw .unknownFormat(path: path) }
    guard status == 0 else { throw .corrupt(path: path, detail: cString(message)) }
    if text == nil && message[0] != 0 { throw .textChunkDropped(path: path, detail: cString(message)) }
    return text.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
}

/// A NUL-terminated C buffer as a Swift string.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
