import FileSupport
import Foundation

/// What went wrong reading or writing an image; each message names the file. Problems
/// with the file itself (missing, unwritable, an input) are FileSupport's `FileError`.
public enum ImagingError: Error, LocalizedError, Equatable {
    case file(FileError)
    case unknownFormat(path: String)
    case corrupt(path: String, detail: String)
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    case unsupported(path: String, detail: String)
    case unsupportedExtension(path: String)
    case encodeFailed(path: String, reason: String)
    /// libpng dropped a text chunk (bad CRC, size or count limits) and the key asked for
    /// was not among those it kept.
    case textChunkDropped(path: String, detail: String)

    public var errorDescription: String? {
        switch self {
        case .file(let error):
            return error.errorDescription
        case .unknownFormat(let path):
            return "\(path): not a PNG or JPEG image"
        case .corrupt(let path, let detail):
            return "\(path): corrupt image data (\(detail))"
        case .tooLarge(let path, let width, let height, let limit):
            return
                "\(path): image is \(width)x\(height), over the limit of \(limit / 1_000_000) megapixels; shrink it first"
        case .unsupported(let path, let detail):
            return "\(path): unsupported image (\(detail))"
        case .unsupportedExtension(let path):
            return "\(path): cannot tell the output format; name the file .png, .jpg or .jpeg"
        case .encodeFailed(let path, let reason):
            return "\(path): cannot encode the image (\(reason))"
        case .textChunkDropped(let path, let detail):
            return
                "\(path): libpng dropped a text chunk (\(detail)), which may have held what was asked for; the file is damaged or holds more text than libpng keeps"
        }
    }
}
