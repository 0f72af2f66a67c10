import Foundation

/// What went wrong with a file or folder, whatever is in it; each message is one line
/// that names the path and says what to do.
public enum FileError: Error, LocalizedError, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case cannotCreateFolder(path: String, reason: String)
    case wouldOverwriteInput(path: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read the file (\(reason))"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write the file (\(reason))"
        case .cannotCreateFolder(let path, let reason):
            return "\(path): cannot create the output folder (\(reason))"
        case .wouldOverwriteInput(let path):
            return "\(path): refusing to overwrite an input file; choose another output name"
        }
    }

    /// The reason without the path, for callers whose own error names the file.
    public var reason: String {
        switch self {
        case .unreadable(_, let reason), .writeFailed(_, let reason), .cannotCreateFolder(_, let reason):
            return reason
        case .wouldOverwriteInput:
            return "it is an input file"
        }
    }
}
