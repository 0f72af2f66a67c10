import Foundation

/// The encodings `dream` reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    /// The format named by a path's extension, if any.
    public init?(pathExtension path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }

    /// The format announced by a file's first bytes.
    public init?(signature bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }
}
