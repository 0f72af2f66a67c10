import Foundation

/// A fresh folder under the system's temporary folder, removed with everything in it by
/// `remove()` or, at the latest, when the last reference goes.
public final class TemporaryFolder {
    public let path: String

    /// `prefix` names the folder's purpose ("dream-bench"); the process id and a random
    /// number keep concurrent runs apart.
    public init(prefix: String) throws(FileError) {
        let path = NSTemporaryDirectory() + "\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Files.createFolder(path)
        self.path = path
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
