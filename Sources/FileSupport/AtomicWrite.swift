/// The model file's way into `Files.write` (ModelFile.swift is being reworked on another
/// branch; once that lands it calls `Files` directly and this goes).
public enum AtomicWrite {
    /// Why the write did not land; the caller names the file.
    public struct Failure: Error, Equatable {
        public let reason: String
        public init(reason: String) { self.reason = reason }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        do {
            try Files.write(bytes, to: path)
        } catch {
            throw Failure(reason: error.reason)
        }
    }
}
