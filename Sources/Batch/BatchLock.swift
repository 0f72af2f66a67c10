import Foundation

/// `OUT/.dream-batch.lock`: batches sharing an output folder (several processes, or
/// machines on a shared file system) hold it exclusively for the short moments they clean
/// up temporaries or read, merge and rewrite the manifest and gallery, so that neither
/// loses the other's records. Rendering itself runs unlocked.
final class BatchLock: @unchecked Sendable {
    static let fileName = ".dream-batch.lock"

    let path: String
    private let descriptor: Int32
    /// flock excludes other processes; threads of this one also need each other's turn.
    private let threads = NSLock()
    /// False on file systems without locks (flock says ENOLCK, EOPNOTSUPP or ENOSYS): the
    /// batch still runs, and concurrent runs there are as safe as the rename of each file.
    private(set) var supported = true

    init(folder: String) throws(BatchError) {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw .lockFailed(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// Runs `body` holding the lock, waiting for other processes to release it.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        threads.lock()
        defer { threads.unlock() }
        var locked = false
        if supported {
            while flock(descriptor, LOCK_EX) != 0 {
                if errno == EINTR { continue }
                if errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS {
                    supported = false
                    break
                }
                throw BatchError.lockFailed(path: path, reason: String(cString: strerror(errno)))
            }
            locked = supported
        }
        defer { if locked { flock(descriptor, LOCK_UN) } }
        return try body()
    }
}
