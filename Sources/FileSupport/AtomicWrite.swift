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
        let temporary = directory.appendingPathComponent(temporaryName(for: url.lastPathComponent))
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            // The system's words ("No space left on device") rather than Foundation's.
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw Failure(
                reason: underlying?.domain == NSPOSIXErrorDomain
                    ? String(cString: strerror(Int32(underlying!.code))) : (error as NSError).localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(reason: reason)
        }
    }

    /// `.NAME.partial-HOST-PID-RANDOM`: the machine and process writing it, so that a
    /// cleanup can tell a dead writer's leftover from another process's write in flight.
    static func temporaryName(for name: String) -> String {
        ".\(name).partial-\(host)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// This machine's name as it appears in temporaries: letters, digits, `.`, `-`, `_`.
    static let host: String = {
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
    public static func removeAbandonedTemporaries(in folder: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var removed: [String] = []
        for entry in entries.sorted() {
            guard let writer = writer(ofTemporary: entry), writer.host.isEmpty || writer.host == host,
                kill(writer.pid, 0) != 0, errno == ESRCH
            else { continue }
            if (try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(entry))) != nil
            {
                removed.append(entry)
            }
        }
        return removed
    }
}
