import Foundation

/// What a batch did: the summary people read and `dream batch --json` prints.
public struct BatchReport: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var input: String
        public var preset: String
        /// File name in the output folder.
        public var output: String
        /// Render time; absent for skipped outputs.
        public var seconds: Double?
    }

    public struct Failure: Codable, Sendable, Equatable {
        /// The photo, or "*" for a preset that could not be read.
        public var input: String
        public var preset: String
        public var output: String?
        /// One line that starts with the photo's path (or the preset's file).
        public var error: String
    }

    /// Outputs rendered by this run.
    public var rendered: [Entry] = []
    /// Outputs that were complete with the same settings, so not rendered again.
    public var skipped: [Entry] = []
    /// Renders that failed (unreadable photo, engine error, a write on a full disk) and
    /// presets that could not be read.
    public var failed: [Failure] = []
    /// Writes of manifest.json or index.html that failed, each naming the file and why;
    /// the renders themselves are reported above.
    public var recordErrors: [String] = []
    /// The run stopped early (Ctrl-C, or a model that would not load); running it again
    /// continues.
    public var interrupted = false
    public var seconds: Double = 0
    /// The manifest this run kept up to date.
    public var manifest: String

    public init(manifest: String) { self.manifest = manifest }

    public var failedCount: Int { failed.count }
}
