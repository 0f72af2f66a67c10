import Dreaming
import FileSupport
import Foundation
import Imaging

/// manifest.json of a batch folder: for every render what is needed to reproduce it.
public struct BatchManifest: Codable, Sendable, Equatable {
    public struct Render: Codable, Sendable, Equatable {
        public var input: String
        public var preset: String
        public var settings: DreamSettings
        public var seed: UInt64
        public var seconds: Double
        public var output: String
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var input: String
        public var preset: String
        public var error: String
    }

    public var version = 1
    public var renders: [Render]
    public var failures: [Failure]

    public init(renders: [Render], failures: [Failure]) {
        self.renders = renders.sorted { $0.output < $1.output }
        self.failures = failures.sorted { ($0.input, $0.preset) < ($1.input, $1.preset) }
    }

    public static let fileName = "manifest.json"

    public static func shardFileName(_ k: Int, of n: Int) -> String { "manifest-shard-\(k)-of-\(n).json" }

    /// The manifest at `path`; nil when there is none or it does not decode (a batch then
    /// starts a new one).
    public static func read(_ path: String) -> BatchManifest? {
        guard let bytes = try? Files.read(path) else { return nil }
        return try? JSONDecoder().decode(BatchManifest.self, from: Data(bytes))
    }

    public func write(to path: String) throws(FileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(self)
        } catch {
            // Only a non-finite number can get here; say so rather than write half a file.
            throw .writeFailed(path: path, reason: "cannot encode the manifest: \(error)")
        }
        try Files.write([UInt8](bytes), to: path)
    }

    /// Entries of `self` overridden by `newer` (same output), dropping renders whose file
    /// is gone.
    public func merged(with newer: BatchManifest, folder: String) -> BatchManifest {
        var byOutput: [String: Render] = [:]
        for render in renders + newer.renders { byOutput[render.output] = render }
        let existing = byOutput.values.filter {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0.output))
        }
        let rendered = Set(existing.map { "\($0.input)\u{0}\($0.preset)" })
        var failuresByKey: [String: Failure] = [:]
        for failure in failures + newer.failures where !rendered.contains("\(failure.input)\u{0}\(failure.preset)") {
            failuresByKey["\(failure.input)\u{0}\(failure.preset)"] = failure
        }
        return BatchManifest(renders: Array(existing), failures: Array(failuresByKey.values))
    }
}
