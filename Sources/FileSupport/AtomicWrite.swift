import Foundation

/// Whole-file writes that either land completely or not at all, shared by the image
/// and model writers (each wraps the failure in its own typed error).
public enum AtomicWrite {
    /// Why the write did not land; the caller names the file.
    public struct Failure: Error, Equatable {
        public let reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// Checks, before any work, that `write(_:to:)` could create `path`: its folder exists
    /// and this process may create files in it. A render of seconds or minutes must not be
    /// thrown away because the target was unwritable all along.
    public static func checkWritable(_ path: String) throws(Failure) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw Failure(reason: "folder \(directory) does not exist")
        }
        if access(directory, W_OK | X_OK) != 0 {
            throw Failure(reason: "folder \(directory) is not writable (\(String(cString: strerror(errno))))")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw Failure(reason: "\(path) is a folder")
        }
    }

    /// Writes to a temporary file beside `path`, then renames it over `path`: readers, a
    /// resumed batch and an interrupted training run never see a half-written file.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw Failure(reason: "folder \(directory.path) does not exist")
        }
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(reason: (error as NSError).localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(reason: reason)
        }
    }
}
