import Foundation

/// Whole-file writes that either land completely or not at all.
public enum AtomicFile {
    /// Writes to a temporary file beside `path`, then renames it over `path`: readers and a
    /// resumed batch never see a half-written file.
    public static func write(_ bytes: [UInt8], to path: String) throws(ImageIOError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .writeFailed(path: path, reason: "folder \(directory.path) does not exist")
        }
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: path, reason: (error as NSError).localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    /// Creates `path` and its parents unless it is already a folder, with a message that
    /// names what is in the way.
    public static func createFolder(_ path: String) throws(ImageIOError) {
        var isDirectory: ObjCBool = false
        var prefix = URL(fileURLWithPath: path).standardizedFileURL
        // The first existing ancestor must be a folder: a file there is the usual mistake.
        while !FileManager.default.fileExists(atPath: prefix.path, isDirectory: &isDirectory), prefix.path != "/" {
            prefix.deleteLastPathComponent()
        }
        if !isDirectory.boolValue {
            throw .cannotCreateFolder(path: path, reason: "\(prefix.path) is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let reason =
                underlying?.domain == NSPOSIXErrorDomain
                ? String(cString: strerror(Int32(underlying!.code))) : (error as NSError).localizedDescription
            throw .cannotCreateFolder(path: path, reason: reason)
        }
    }

    /// Throws when `output` names the same file as one of `inputs`.
    public static func refuseOverwriting(_ inputs: [String], with output: String) throws(ImageIOError) {
        let target = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs
        where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
            throw .wouldOverwriteInput(path: output)
        }
    }
}
