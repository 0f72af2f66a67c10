import Foundation

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The one way dream touches files: whole-file reads that say why they failed, writes
/// that land completely or not at all, output folders, the guard that keeps inputs
/// safe, and the temporaries those writes leave when a process is killed.
public enum Files {
    /// The whole file, or why not ("no such file", "it is a directory", ...).
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: describe(error, path: path))
        }
    }

    /// Why reading `path` failed, in a few words.
    static func describe(_ error: Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return (error as NSError).localizedDescription
    }

    /// Writes to a temporary file beside `path`, then renames it over `path`: readers, a
    /// resumed batch and an interrupted training run never see a half-written file.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(FileError) in try write(raw, to: path) } }.get()
    }

    /// The same from a buffer the caller owns (an encoder's output), without copying it.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .writeFailed(path: path, reason: "folder \(directory.path) does not exist")
        }
        let temporary = temporaryPath(for: url.path, process: getpid())
        do {
            let data =
                bytes.baseAddress.map {
                    Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: bytes.count, deallocator: .none)
                } ?? Data()
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            // The system's words ("No space left on device") rather than Foundation's.
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw .writeFailed(
                path: path,
                reason: underlying?.domain == NSPOSIXErrorDomain
                    ? String(cString: strerror(Int32(underlying!.code))) : (error as NSError).localizedDescription)
        }
        if rename(temporary, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    /// Checks, before any work, that `write(_:to:)` could create `path`: its folder exists
    /// and this process may create files in it. A render of seconds or minutes must not be
    /// thrown away because the target was unwritable all along.
    public static func checkWritable(_ path: String) throws(FileError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard isFolder(directory) else {
            throw .writeFailed(path: path, reason: "folder \(directory) does not exist")
        }
        if access(directory, W_OK | X_OK) != 0 {
            throw .writeFailed(
                path: path, reason: "folder \(directory) is not writable (\(String(cString: strerror(errno))))")
        }
        if isFolder(path) { throw .writeFailed(path: path, reason: "\(path) is a folder") }
    }

    /// Creates `path` and its parents unless it is already a folder, with a message that
    /// names what is in the way.
    public static func createFolder(_ path: String) throws(FileError) {
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
            let error = error as NSError
            // The POSIX reason ("Permission denied") is shorter than Foundation's sentence.
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
                underlying.domain == NSPOSIXErrorDomain
            {
                throw .cannotCreateFolder(path: path, reason: String(cString: strerror(Int32(underlying.code))))
            }
            throw .cannotCreateFolder(path: path, reason: error.localizedDescription)
        }
    }

    /// Creates the folder a file is to be written into (nothing for a bare file name).
    public static func createFolder(containing file: String) throws(FileError) {
        let folder = (file as NSString).deletingLastPathComponent
        if !folder.isEmpty { try createFolder(folder) }
    }

    /// Throws when `output` names the same file as one of `inputs` (after `.`, `..` and
    /// symbolic links).
    public static func refuseOverwriting(_ inputs: [String], with output: String) throws(FileError) {
        let target = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs
        where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
            throw .wouldOverwriteInput(path: output)
        }
    }

    /// Whether `path` is an existing folder.
    public static func isFolder(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    // MARK: Temporaries

    /// `.NAME.partial-HOST-PID-RANDOM` beside `path`: the machine and process writing it,
    /// so that a cleanup can tell a dead writer's leftover from another process's write in
    /// flight (several batches may share one folder, even across machines).
    public static func temporaryPath(for path: String, process: pid_t) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(host)-\(process)-\(UInt32.random(in: 0...UInt32.max))"
        ).path
    }

    /// This machine's name as it appears in temporaries: letters, digits, `.`, `-`, `_`.
    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count - 1) == 0 ? String(cString: buffer) : ""
        let safe = String(
            name.prefix(64).map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return safe.isEmpty ? "host" : safe
    }()

    /// The writer of a temporary that `write` names, or nil for any other file. Temporaries
    /// of older versions (`.NAME.partial-PID-RANDOM`) have an empty host.
    public static func writer(ofTemporary fileName: String) -> (host: String, pid: pid_t)? {
        guard fileName.hasPrefix("."), let marker = fileName.range(of: ".partial-", options: .backwards) else {
            return nil
        }
        let parts = fileName[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, UInt32(parts[parts.count - 1]) != nil, let pid = pid_t(parts[parts.count - 2]), pid > 0
        else { return nil }
        return (parts.dropLast(2).joined(separator: "-"), pid)
    }

    /// Removes the temporaries in `folder` whose writer was a process of this machine that
    /// has died (killed while writing). Those of live processes (another batch's write in
    /// flight) and of other machines sharing the folder stay. Returns the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for entry in entries.sorted() {
            guard let writer = writer(ofTemporary: entry), writer.host.isEmpty || writer.host == host,
                !isAlive(writer.pid)
            else { continue }
            if (try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(entry))) != nil
            {
                removed.append(entry)
            }
        }
        return removed
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
