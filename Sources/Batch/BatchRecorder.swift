import Foundation
import Imaging

/// Keeps a batch folder's manifest up to date as renders finish: each record is read,
/// merged and written atomically under the folder's lock, so a killed run keeps the
/// records of what it finished and concurrent runs keep each other's. A write that fails
/// (a full disk) is remembered for the summary and the batch goes on.
final class BatchRecorder: @unchecked Sendable {
    let folder: String
    let manifestPath: String
    let lock: BatchLock
    private let errorsLock = NSLock()
    private var errorList: [String] = []

    init(folder: String, manifestName: String, lock: BatchLock) {
        self.folder = folder
        self.manifestPath = (folder as NSString).appendingPathComponent(manifestName)
        self.lock = lock
    }

    /// Failed manifest and gallery writes, each once, in the order they happened.
    var errors: [String] {
        errorsLock.lock()
        defer { errorsLock.unlock() }
        return errorList
    }

    private func note(_ error: any Error) {
        let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
        errorsLock.lock()
        if !errorList.contains(message) { errorList.append(message) }
        errorsLock.unlock()
    }

    /// Adds renders and failures to the manifest as it is on disk now; renders whose files
    /// are gone drop out, failures of what has since rendered too.
    func record(renders: [BatchManifest.Render] = [], failures: [BatchManifest.Failure] = []) {
        guard !renders.isEmpty || !failures.isEmpty else { return }
        do {
            try lock.withLock {
                let current = try BatchManifest.read(manifestPath) ?? BatchManifest(renders: [], failures: [])
                try current.merged(with: BatchManifest(renders: renders, failures: failures), folder: folder)
                    .write(to: manifestPath)
            }
        } catch {
            note(error)
        }
    }

    /// Rewrites index.html from the manifest as it is on disk now (every run's renders).
    func writeGallery() {
        do {
            try lock.withLock {
                let current = try BatchManifest.read(manifestPath) ?? BatchManifest(renders: [], failures: [])
                try Gallery.write(current, folder: folder)
            }
        } catch {
            note(error)
        }
    }
}
