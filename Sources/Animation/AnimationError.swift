import Foundation

/// Why an animation could not be written or read; one line naming the file.
public enum AnimationError: Error, LocalizedError, Equatable {
    case unsupportedExtension(path: String)
    case noFrames(path: String)
    case sizeMismatch(path: String, frame: Int, expected: String, got: String)
    case encoderFailed(path: String, library: String, detail: String)
    case programMissing(path: String, program: String)
    case programFailed(path: String, program: String, status: Int32)
    case unreadable(path: String, detail: String)

    public var errorDescription: String? {
        switch self {
        case .unsupportedExtension(let path):
            "\(path): unknown animation type; name the output .webp, .gif or .mp4"
        case .noFrames(let path):
            "\(path): no frames to assemble; render some frames first"
        case .sizeMismatch(let path, let frame, let expected, let got):
            "\(path): frame \(frame) is \(got), the others \(expected); all frames must have one size"
        case .encoderFailed(let path, let library, let detail):
            "\(path): \(library) could not encode the animation (\(detail)); check the folder is writable"
        case .programMissing(let path, let program):
            "\(path): MP4 needs the '\(program)' program, which is not installed (apt-get install \(program)); or name the output .webp or .gif"
        case .programFailed(let path, let program, let status):
            "\(path): \(program) exited with status \(status); run it by hand to see why"
        case .unreadable(let path, let detail):
            "\(path): cannot read the animation (\(detail))"
        }
    }
}
