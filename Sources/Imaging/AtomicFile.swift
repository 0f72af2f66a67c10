import FileSupport
import Foundation

/// Atomic writes of image files, output folders, and the guard that keeps inputs safe.
public enum AtomicFile {
    /// Writes to a temporary file beside `path`, then renames it over `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(ImagingError) {
        do {
            try AtomicWrite.write(bytes, to: path)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    /// Throws unless `path` could be written (see `AtomicWrite.checkWritable`).
    public static func checkWritable(_ path: String) throws(ImagingError) {
        do {
            try AtomicWrite.checkWritable(path)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    /// Creates `path` and its parents unless it is already a folder, with a message that
    /// names what is in the way.
    public static func createFolder(_ path: String) throws(ImagingError) {
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
    public static func refuseOverwriting(_ inputs: [String], with output: String) throws(ImagingError) {
        let target = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs
        where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
            throw .wouldOverwriteInput(path: output)
        }
    }
}
