import Foundation

/// What stops a batch (or a render of several photos) before or while it runs; each
/// message is one line that names the files involved and what to do.
public enum BatchError: Error, LocalizedError, Equatable {
    /// Two inputs would write the same output file.
    case outputCollision(first: String, second: String, output: String)
    /// An output in the folder was rendered from another input, as its manifest records.
    case outputTaken(output: String, recordedInput: String, input: String)
    /// manifest.json (or a shard's) exists but cannot be read as a batch manifest.
    case manifestUnreadable(path: String, reason: String)
    /// The folder's lock file cannot be opened or locked.
    case lockFailed(path: String, reason: String)
    /// A photo's render failed; the message starts with the photo's path.
    case photoFailed(photo: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .outputCollision(let first, let second, let output):
            return
                "\(first) and \(second) would both write \(output); rename one of them or render them into different folders"
        case .outputTaken(let output, let recordedInput, let input):
            return
                "\(input) would overwrite \(output), which was rendered from \(recordedInput); use another --out folder or remove \(output)"
        case .manifestUnreadable(let path, let reason):
            return "\(path): not a dream batch manifest (\(reason)); move it away or run 'dream batch --merge'"
        case .lockFailed(let path, let reason):
            return "\(path): cannot lock the output folder (\(reason)); check that the folder is writable"
        case .photoFailed(let photo, let reason):
            return "\(photo): \(reason)"
        }
    }

    /// `error` as a one-line message that starts with `photo`: engine errors (an octave too
    /// small, a map out of range) do not know which photo they were working on.
    public static func forPhoto(_ photo: String, _ error: any Error) -> BatchError {
        let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
        let prefix = "\(photo): "
        return .photoFailed(
            photo: photo, reason: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
    }
}
